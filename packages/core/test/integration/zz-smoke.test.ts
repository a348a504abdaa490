import { afterAll, expect, it } from 'vitest';
import WS, { WebSocketServer } from 'ws';
import { permessageDeflate } from '../../src/index.js';
import { closeAll, sockeyeClient, sockeyeServer } from './permessage-deflate-support.js';

afterAll(closeAll);
it('smoke server', async () => {
  let header = '';
  const port = await sockeyeServer([permessageDeflate()], (ws, h) => {
    header = h;
    ws.on('message', (e: any) => ws.send(e.data));
  });
  const client = new WS(`ws://127.0.0.1:${port}`, { perMessageDeflate: { threshold: 0 } });
  await new Promise((r) => client.on('open', r));
  console.log('ext', header);
  const got: any[] = [];
  client.on('message', (d: Buffer, bin: boolean) => got.push(bin ? d : d.toString()));
  const big = 'hello world '.repeat(1000);
  client.send('hi'); client.send(big); client.send(Buffer.alloc(5000, 7)); client.send('');
  await new Promise((r) => setTimeout(r, 300));
  expect(got[0]).toBe('hi'); expect(got[1]).toBe(big); expect(got[2].length).toBe(5000); expect(got[3]).toBe('');
  client.close();
});
it('smoke client', async () => {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: { threshold: 0 } });
  await new Promise((r) => wss.on('listening', r));
  wss.on('connection', (s) => s.on('message', (d, b) => s.send(d, { binary: b })));
  const { ws, responseExtensions } = await sockeyeClient(`ws://127.0.0.1:${(wss.address() as any).port}`, [permessageDeflate({ threshold: 0 })]);
  console.log('resp', responseExtensions);
  const got: any[] = [];
  ws.on('message', (e: any) => got.push(e.data));
  const big = 'hello world '.repeat(1000);
  ws.send('hi'); ws.send(big); ws.send('');
  await new Promise((r) => setTimeout(r, 300));
  expect(got).toEqual(['hi', big, '']);
  ws.close();
  await new Promise((r) => wss.close(r));
});
