// The public surface of `sockeye`, fixed: adding, removing or renaming an export or a public member
// is a decision, and this test makes it a visible one (update the lists and write a changeset).
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);

/** Own and inherited property names, walking the prototype chain up to (not including) `stop`. */
function names(object: object, stop: object): string[] {
  const found = new Set<string>();
  for (let proto: object | null = object; proto && proto !== stop; proto = Object.getPrototypeOf(proto)) {
    for (const key of Object.getOwnPropertyNames(proto)) found.add(key);
  }
  return [...found].sort();
}
const statics = (c: Function) =>
  names(c, EventEmitter).filter((k) => !['length', 'name', 'prototype'].includes(k));
const members = (c: Function) =>
  names(c.prototype, EventEmitter.prototype).filter((k) => k !== 'constructor');

const readyStates = ['CLOSED', 'CLOSING', 'CONNECTING', 'OPEN'];
const webSocketMembers = [
  ...readyStates,
  'addEventListener',
  'bufferedAmount',
  'close',
  'dispatchEvent',
  // EventEmitter's, overridden so that an `error` nobody listens to is never thrown.
  'emit',
  'end',
  'extensions',
  'isPaused',
  'onclose',
  'onerror',
  'onmessage',
  'onopen',
  'onping',
  'onpong',
  'pause',
  'ping',
  'pipe',
  'pong',
  'protocol',
  'readable',
  'readyState',
  'removeEventListener',
  'resume',
  'send',
  'sendPrepared',
  'terminate',
  'version',
  'writable',
  'write',
].sort();

describe('public surface', () => {
  it('names exactly these ES module exports', async () => {
    const exports = await import('sockeye');
    expect(Object.keys(exports).sort()).toEqual(
      [
        'Client',
        'CloseCode',
        'CloseEvent',
        'ErrorCode',
        'ErrorEvent',
        'Event',
        'EventSource',
        'HandshakeError',
        'MessageEvent',
        'NetworkError',
        'PreparedMessage',
        'ProtocolError',
        'ProxyError',
        'ReadyState',
        'WebSocket',
        'WebSocketError',
        'attach',
        'default',
        'isEventSource',
        'isWebSocket',
        'listen',
        'permessageDeflate',
        'proxyFromEnvironment',
        'validateOptions',
      ].sort(),
    );
  });

  it("gives require('sockeye') faye-websocket's statics, plus readyState constants, prepare() and the ES module's parts", async () => {
    const WebSocket = require('sockeye');
    const faye = ['Client', 'EventSource', 'WebSocket', 'isWebSocket', 'validateOptions'];
    const named = Object.keys(await import('sockeye')).filter((k) => k !== 'default');
    expect(statics(WebSocket)).toEqual([...new Set([...readyStates, 'prepare', ...faye, ...named])].sort());
    // The ES module's parts, so `const { attach } = require('sockeye')` works.
    expect(require('sockeye').attach).toBe(require('@sockeye/server').attach);
  });

  it('gives server and client sockets the same members, and the client statusCode and headers', () => {
    const WebSocket = require('sockeye');
    expect(members(WebSocket)).toEqual(webSocketMembers);
    expect(members(WebSocket.Client)).toEqual([...webSocketMembers, 'headers', 'statusCode'].sort());
  });

  it('gives EventSource its statics and members', () => {
    const { EventSource } = require('sockeye');
    expect(statics(EventSource)).toEqual(
      [...readyStates, 'DEFAULT_PING', 'DEFAULT_RETRY', 'encode', 'isEventSource'].sort(),
    );
    expect(members(EventSource)).toEqual(
      [
        ...readyStates,
        'DEFAULT_PING',
        'DEFAULT_RETRY',
        'addEventListener',
        'bufferedAmount',
        'close',
        'dispatchEvent',
        'emit',
        'end',
        'onclose',
        'ondrain',
        'onerror',
        'onmessage',
        'onopen',
        'ping',
        'readyState',
        'removeEventListener',
        'send',
        'sendEncoded',
        'terminate',
        'writable',
        'write',
      ].sort(),
    );
  });
});
