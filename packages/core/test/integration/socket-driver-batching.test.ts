import type net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { CloseEvent } from '../../src/index.js';
import { cleanup, messages, next, wsPair } from './socket-pair.js';

afterEach(cleanup);

/** Counts how many times the socket hands bytes to the kernel (`_write` or `_writev`). */
function countKernelWrites(socket: net.Socket): { count: number } {
  const counter = { count: 0 };
  const stream = socket as net.Socket & {
    _write: (...args: unknown[]) => unknown;
    _writev: (...args: unknown[]) => unknown;
  };
  const write = stream._write.bind(stream);
  const writev = stream._writev.bind(stream);
  stream._write = (...args) => {
    counter.count++;
    return write(...args);
  };
  stream._writev = (...args) => {
    counter.count++;
    return writev(...args);
  };
  return counter;
}

describe('output queued while a socket’s data is handled', () => {
  it('leaves in one write per socket once the handler returns (a message fanned out to others)', async () => {
    const a = await wsPair();
    const b = await wsPair();
    const writes = countKernelWrites(b.serverSocket);
    let writesDuringHandler = -1;
    a.server.on('message', () => {
      for (let i = 1; i <= 5; i++) b.server.send(`fan-out ${i}`);
      writesDuringHandler = writes.count;
    });
    const received = messages(b.client, 5);
    a.client.send('go');
    expect(await received).toEqual(['fan-out 1', 'fan-out 2', 'fan-out 3', 'fan-out 4', 'fan-out 5']);
    // Nothing was written while the handler ran; the five frames then left together.
    expect(writesDuringHandler).toBe(0);
    expect(writes.count).toBe(1);
  });

  it('keeps order when a close follows queued frames in the same handler', async () => {
    const a = await wsPair();
    const b = await wsPair();
    a.server.on('message', () => {
      b.server.send('first');
      b.server.send('second');
      b.server.close(1000, 'done');
    });
    const received = messages(b.client, 2);
    const closed = next<CloseEvent>(b.client, 'close');
    a.client.send('go');
    expect(await received).toEqual(['first', 'second']);
    const event = await closed;
    expect([event.code, event.reason, event.wasClean]).toEqual([1000, 'done', true]);
  });

  it('writes at once when nothing is being read (a send from a timer)', async () => {
    const { server, client, serverSocket } = await wsPair();
    const writes = countKernelWrites(serverSocket);
    const received = messages(client, 1);
    server.send('now');
    expect(writes.count).toBe(1);
    expect(await received).toEqual(['now']);
  });
});
