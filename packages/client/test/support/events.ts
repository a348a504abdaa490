import type { CloseEvent, ErrorEvent, MessageEvent } from '@sockeye/core';
import type { Client } from '../../src/client.js';

/** Everything a client reported, in order, once `close` has fired. */
export interface Outcome {
  events: string[];
  error: ErrorEvent | undefined;
  close: CloseEvent;
}

/** Resolves on `close` with the order of `open`/`error`/`close` and the error and close events. */
export function outcome(ws: Client): Promise<Outcome> {
  const events: string[] = [];
  let error: ErrorEvent | undefined;
  ws.on('open', () => events.push('open'));
  ws.on('error', (event: ErrorEvent) => {
    events.push('error');
    error = event;
  });
  return new Promise((resolve) => {
    ws.on('close', (close: CloseEvent) => {
      events.push('close');
      resolve({ events, error, close });
    });
  });
}

/** Resolves with the next message's data. */
export function nextMessage(ws: Client): Promise<string | Buffer> {
  return new Promise((resolve) => ws.once('message', (event: MessageEvent) => resolve(event.data)));
}

/** Resolves on `open`; rejects on `error` or `close` first. */
export function opened(ws: Client): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (event: ErrorEvent) => reject(new Error(event.message));
    const onClose = (event: CloseEvent) => reject(new Error(`closed ${event.code} before open`));
    ws.once('error', onError);
    ws.once('close', onClose);
    ws.once('open', () => {
      ws.removeListener('error', onError);
      ws.removeListener('close', onClose);
      resolve();
    });
  });
}

/** Opens, sends each message and collects the echoes, then closes; resolves with the echoes. */
export async function echo(ws: Client, messages: (string | Buffer)[]): Promise<(string | Buffer)[]> {
  await opened(ws);
  const received: (string | Buffer)[] = [];
  const done = new Promise<void>((resolve) => {
    ws.on('message', (event: MessageEvent) => {
      received.push(event.data);
      if (received.length === messages.length) resolve();
    });
  });
  for (const message of messages) ws.send(message);
  await done;
  const closed = new Promise<CloseEvent>((resolve) => ws.once('close', resolve));
  ws.close();
  const close = await closed;
  if (close.code !== 1000 || !close.wasClean) throw new Error(`unclean close ${close.code}`);
  return received;
}
