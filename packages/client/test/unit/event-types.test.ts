// The listener types of Client. The checks are mostly type-level (`expectTypeOf`,
// `@ts-expect-error`): `pnpm typecheck` covers test/, so a regression fails there. The runtime
// tests show that what a real connection delivers is what the types claim.
import {
  type CloseEvent,
  type ErrorEvent,
  type Event,
  type MessageEvent,
  NetworkError,
  type WebSocketError,
  type WebSocketEvents,
} from '@sockeye/core';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { freePort } from '../../../../test-support/loopback-port.js';
import { Client, ErrorCode } from '../../src/index.js';
import { type RunningServer, startEchoServer } from '../support/servers.js';

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

interface ChatEvents extends WebSocketEvents {
  typing: [user: string];
}

/** A client subclass with an event of its own. */
class ChatClient extends Client<ChatEvents> {}

/** Type-level only: never called. */
function listenerTypes(client: Client, chat: ChatClient): void {
  client.on('open', (event) => expectTypeOf(event).toEqualTypeOf<Event>());
  client.on('message', (event) => expectTypeOf(event).toEqualTypeOf<MessageEvent<string | Buffer>>());
  client.once('close', (event) => expectTypeOf(event).toEqualTypeOf<CloseEvent>());
  client.prependListener('error', (event) => expectTypeOf(event.error).toEqualTypeOf<WebSocketError>());
  client.addEventListener('error', (event) => expectTypeOf(event.message).toEqualTypeOf<string>());
  client.addEventListener('ping', (event) => expectTypeOf(event.data).toEqualTypeOf<Buffer>());
  client.removeEventListener('close', (event) => expectTypeOf(event.wasClean).toEqualTypeOf<boolean>());
  expectTypeOf(client.on('open', () => {}).removeListener('open', () => {})).toEqualTypeOf<Client>();
  // @ts-expect-error a message event has no reason
  client.on('message', (event) => event.reason);
  // @ts-expect-error an error event's `error` is a WebSocketError, which has no wasClean
  client.addEventListener('error', (event) => event.error.wasClean);
  client.on('user-event', (one: number, two: string) => [one, two]);

  chat.on('typing', (user) => expectTypeOf(user).toEqualTypeOf<string>());
  expectTypeOf(chat.once('typing', () => {})).toEqualTypeOf<ChatClient>();
  // @ts-expect-error typing carries a user name
  chat.on('typing', (user) => user.data);
}

describe('Client event types', () => {
  it('are declared as the checks above say', () => {
    expectTypeOf(listenerTypes).toBeFunction();
  });

  it('delivers MessageEvent data and CloseEvent fields over a real connection', async () => {
    server = await startEchoServer();
    const client = new Client(`ws://127.0.0.1:${server.port}/`);
    client.addEventListener('open', () => client.send('ping me back'));
    const data = await new Promise<string | Buffer>((resolve) =>
      client.once('message', (event) => resolve(event.data)),
    );
    expect(data).toBe('ping me back');
    const closed = new Promise<CloseEvent>((resolve) => client.addEventListener('close', resolve));
    client.close(4002, 'bye');
    const close = await closed;
    expect([close.code, close.reason, close.wasClean]).toEqual([4002, 'bye', true]);
  });

  it('hands the ErrorEvent the WebSocketError behind it', async () => {
    const client = new Client(`ws://127.0.0.1:${await freePort()}/`);
    const failed = new Promise<ErrorEvent>((resolve) => client.addEventListener('error', resolve));
    const closed = new Promise<CloseEvent>((resolve) => client.once('close', resolve));
    const event = await failed;
    expect(event.error).toBeInstanceOf(NetworkError);
    expect(event.error.code).toBe(ErrorCode.Network);
    expect(event.message).toBe(event.error.message);
    expect((await closed).code).toBe(1006);
  });
});
