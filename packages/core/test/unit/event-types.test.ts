// The listener types of WebSocket and EventTargetEmitter. Most checks here are type-level
// (`expectTypeOf`, `@ts-expect-error`): `pnpm typecheck` covers test/, so a regression fails there.
// The runtime checks show that what arrives is what the types claim.
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import {
  type CloseEvent,
  ErrorCode,
  ErrorEvent,
  type Event,
  EventTargetEmitter,
  encodeFrame,
  type MessageEvent,
  Opcode,
  ProtocolError,
  WebSocket,
  type WebSocketError,
  type WebSocketEvents,
} from '../../src/index.js';
import { cleanup, open, TestWebSocket, tcpPair, wsPair } from '../integration/socket-pair.js';

afterEach(cleanup);

interface ChatEvents extends WebSocketEvents {
  joined: [name: string, at: number];
}

/** A subclass that fires an event of its own, typed through its event map. */
class ChatSocket extends WebSocket<ChatEvents> {
  constructor() {
    super({ url: 'ws://127.0.0.1/chat', role: 'server' });
  }
}

function noop(): void {}

describe('WebSocket listener types (type-level)', () => {
  const ws = new TestWebSocket('server');

  it('types each event of on() by its event map entry', () => {
    ws.on('open', (event) => expectTypeOf(event).toEqualTypeOf<Event>());
    ws.on('message', (event) => expectTypeOf(event).toEqualTypeOf<MessageEvent<string | Buffer>>());
    ws.on('ping', (event) => expectTypeOf(event.data).toEqualTypeOf<Buffer>());
    ws.on('pong', (event) => expectTypeOf(event.data).toEqualTypeOf<Buffer>());
    ws.on('error', (event) => expectTypeOf(event).toEqualTypeOf<ErrorEvent>());
    ws.on('close', (event) => expectTypeOf(event).toEqualTypeOf<CloseEvent>());
    ws.on('data', (data) => expectTypeOf(data).toEqualTypeOf<string | Buffer>());
    ws.on('end', (...args) => expectTypeOf(args).toEqualTypeOf<[]>());
    ws.on('drain', (...args) => expectTypeOf(args).toEqualTypeOf<[]>());
    ws.removeAllListeners();
  });

  it('types once, off, addListener, removeListener, prependListener and prependOnceListener alike', () => {
    const onClose = (event: CloseEvent) => event.code;
    ws.once('close', (event) => expectTypeOf(event.wasClean).toEqualTypeOf<boolean>());
    ws.addListener('close', (event) => expectTypeOf(event.reason).toEqualTypeOf<string>());
    ws.prependListener('message', (event) => expectTypeOf(event.data).toEqualTypeOf<string | Buffer>());
    ws.prependOnceListener('error', (event) => expectTypeOf(event.error).toEqualTypeOf<WebSocketError>());
    ws.on('close', onClose).off('close', onClose).removeListener('close', onClose);
    // @ts-expect-error a close event has no data
    ws.once('close', (event) => event.data);
    // @ts-expect-error a message event has no code
    ws.prependListener('message', (event) => event.code);
    ws.removeAllListeners();
  });

  it('returns this from every listener method, for chaining', () => {
    expectTypeOf(ws.on('open', noop)).toEqualTypeOf<TestWebSocket>();
    expectTypeOf(ws.once('open', noop).off('open', noop)).toEqualTypeOf<TestWebSocket>();
    expectTypeOf(ws.addListener('x', noop).removeListener('x', noop)).toEqualTypeOf<TestWebSocket>();
    expectTypeOf(
      ws.prependListener('open', noop).prependOnceListener('y', noop),
    ).toEqualTypeOf<TestWebSocket>();
    ws.removeAllListeners();
  });

  it('types addEventListener and removeEventListener by the same map', () => {
    ws.addEventListener('close', (event) => expectTypeOf(event).toEqualTypeOf<CloseEvent>());
    ws.addEventListener('message', {
      handleEvent: (event) => expectTypeOf(event.data).toEqualTypeOf<string | Buffer>(),
    });
    ws.addEventListener('error', (event) => expectTypeOf(event.message).toEqualTypeOf<string>());
    ws.addEventListener('end', (event) => expectTypeOf(event).toEqualTypeOf<undefined>());
    const onMessage = (event: MessageEvent<string | Buffer>) => event.data;
    ws.addEventListener('message', onMessage, { once: true });
    ws.removeEventListener('message', onMessage);
    // @ts-expect-error a close event has no data
    ws.addEventListener('close', (event) => event.data);
    // @ts-expect-error a message event has no wasClean
    ws.addEventListener('message', { handleEvent: (event) => event.wasClean });
    ws.removeAllListeners();
  });

  it('accepts names the map does not know, and annotated listeners, loosely', () => {
    ws.on('custom', (a: number, b: string) => [a, b]);
    ws.addEventListener('custom', (event: { detail: number }) => event.detail);
    ws.on(Symbol('mine'), noop);
    const name: string = 'message';
    ws.on(name, (anything: unknown) => anything);
    // A listener annotated with a narrower type (a text-only protocol) is the caller's claim, as ws allows.
    ws.on('message', (event: MessageEvent<string>) => event.data.toUpperCase());
    ws.removeAllListeners();
  });

  it('lets a subclass extend the map, keeping the inherited events and chaining', () => {
    const chat = new ChatSocket();
    chat
      .on('joined', (name, at) => {
        expectTypeOf(name).toEqualTypeOf<string>();
        expectTypeOf(at).toEqualTypeOf<number>();
      })
      .on('close', (event) => expectTypeOf(event).toEqualTypeOf<CloseEvent>());
    expectTypeOf(chat.on('joined', noop)).toEqualTypeOf<ChatSocket>();
    // @ts-expect-error joined carries a name, not an event
    chat.on('joined', (name) => name.code);
    chat.addEventListener('joined', (name) => expectTypeOf(name).toEqualTypeOf<string>());
    chat.removeAllListeners();
    chat.close();
  });

  it('types the on<type> handlers and ErrorEvent.error', () => {
    expectTypeOf(ws.onmessage).toEqualTypeOf<((event: MessageEvent) => unknown) | null>();
    expectTypeOf<ErrorEvent['error']>().toEqualTypeOf<WebSocketError>();
    // @ts-expect-error sockeye's error events always carry the WebSocketError behind them
    new ErrorEvent('error', 'no cause');
  });

  it('leaves a plain EventTargetEmitter loose', () => {
    const target = new EventTargetEmitter();
    expectTypeOf(target.on('anything', (value: number) => value)).toEqualTypeOf<EventTargetEmitter>();
    target.addEventListener('anything', (event: { type: string }) => event.type);
  });
});

describe('WebSocket events at run time', () => {
  it('delivers what the types say: MessageEvent data, CloseEvent fields, the stream events', async () => {
    const { server, client } = await wsPair();
    const messages: Array<string | Buffer> = [];
    const data: Array<string | Buffer> = [];
    server.addEventListener('message', (event) => messages.push(event.data));
    server.on('data', (chunk) => data.push(chunk));
    const ended = new Promise<number>((resolve) => server.on('end', (...args) => resolve(args.length)));
    const closed = new Promise<CloseEvent>((resolve) => server.addEventListener('close', resolve));
    const pinged = new Promise<Buffer>((resolve) => server.once('ping', (event) => resolve(event.data)));
    client.ping('p1');
    client.send('héllo');
    client.send(Buffer.from([1, 2]));
    expect((await pinged).toString()).toBe('p1');
    client.close(4001, 'bye');
    const close = await closed;
    expect([close.code, close.reason, close.wasClean]).toEqual([4001, 'bye', true]);
    expect(messages).toEqual(['héllo', Buffer.from([1, 2])]);
    expect(data).toEqual(messages);
    expect(await ended).toBe(0);
  });

  it('hands the ErrorEvent the WebSocketError behind it', async () => {
    const { serverSocket, clientSocket } = await tcpPair();
    const server = new TestWebSocket('server');
    open(server, serverSocket, 'server');
    const failed = new Promise<ErrorEvent>((resolve) => server.on('error', resolve));
    // RFC 6455 §5.1: "The server MUST close the connection upon receiving a frame that is not masked."
    clientSocket.write(Buffer.concat(encodeFrame(Opcode.Text, Buffer.from('hi'))));
    const event = await failed;
    expect(event).toBeInstanceOf(ErrorEvent);
    expect(event.error).toBeInstanceOf(ProtocolError);
    expect(event.error.code).toBe(ErrorCode.ExpectedMask);
    expect(event.message).toBe(event.error.message);
  });

  it("fires a subclass's own events with the arguments its map declares", () => {
    const chat = new ChatSocket();
    const seen: Array<[string, number]> = [];
    chat.on('joined', (name, at) => seen.push([name, at]));
    chat.emit('joined', 'ann', 7);
    expect(seen).toEqual([['ann', 7]]);
    chat.close();
  });
});
