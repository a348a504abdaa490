// The listener types of the server WebSocket. The checks are mostly type-level (`expectTypeOf`,
// `@ts-expect-error`): `pnpm typecheck` covers test/, so a regression fails there. The runtime
// test shows that what a real connection delivers is what the types claim.
import type {
  CloseEvent,
  ErrorEvent,
  Event,
  MessageEvent,
  WebSocketError,
  WebSocketEvents,
} from '@sockeye/core';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { WebSocket as PeerWebSocket } from 'ws';
import { WebSocket } from '../../src/index.js';
import { closeServers, startServer } from '../support/servers.js';

afterEach(closeServers);

interface RoomEvents extends WebSocketEvents {
  kicked: [reason: string];
}

/** A server socket subclass with an event of its own. */
class RoomSocket extends WebSocket<RoomEvents> {}

/** Type-level only: never called. */
function listenerTypes(ws: WebSocket, room: RoomSocket): void {
  ws.on('open', (event) => expectTypeOf(event).toEqualTypeOf<Event>());
  ws.on('message', (event) => expectTypeOf(event).toEqualTypeOf<MessageEvent<string | Buffer>>());
  ws.once('ping', (event) => expectTypeOf(event.data).toEqualTypeOf<Buffer>());
  ws.prependListener('pong', (event) => expectTypeOf(event.data).toEqualTypeOf<Buffer>());
  ws.addListener('error', (event) => expectTypeOf(event.error).toEqualTypeOf<WebSocketError>());
  ws.prependOnceListener('close', (event) => expectTypeOf(event).toEqualTypeOf<CloseEvent>());
  ws.on('data', (data) => expectTypeOf(data).toEqualTypeOf<string | Buffer>());
  ws.addEventListener('close', (event) => expectTypeOf(event.code).toEqualTypeOf<number>());
  ws.addEventListener('error', (event) => expectTypeOf(event).toEqualTypeOf<ErrorEvent>());
  expectTypeOf(ws.on('open', () => {}).off('open', () => {})).toEqualTypeOf<WebSocket>();
  // @ts-expect-error a close event has no data
  ws.on('close', (event) => event.data);
  // @ts-expect-error an error event has no code (its `error` has)
  ws.addEventListener('error', (event) => event.code);
  ws.on('upgraded-elsewhere', (anything: { x: number }) => anything.x);

  room.on('kicked', (reason) => expectTypeOf(reason).toEqualTypeOf<string>());
  expectTypeOf(room.on('message', () => {})).toEqualTypeOf<RoomSocket>();
  // @ts-expect-error kicked carries a reason string
  room.on('kicked', (reason) => reason.code);
}

describe('server WebSocket event types', () => {
  it('are declared as the tests above check', () => {
    expectTypeOf(listenerTypes).toBeFunction();
  });

  it('delivers the typed fields over a real connection', async () => {
    let received: MessageEvent<string | Buffer> | undefined;
    let closed!: Promise<CloseEvent>;
    const server = await startServer({
      onSocket: (ws) => {
        ws.on('message', (event) => {
          received = event;
          ws.send(`echo ${String(event.data)}`);
        });
        closed = new Promise((resolve) => ws.addEventListener('close', resolve));
      },
    });
    const peer = new PeerWebSocket(`${server.origin}/`);
    peer.on('open', () => peer.send('hi'));
    const echo = await new Promise<Buffer>((resolve) => peer.on('message', resolve));
    expect(echo.toString()).toBe('echo hi');
    expect(received?.data).toBe('hi');
    peer.close(4000, 'done');
    const event = await closed;
    expect([event.code, event.reason, event.wasClean]).toEqual([4000, 'done', true]);
  });
});
