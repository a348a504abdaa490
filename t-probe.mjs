import { WebSocketServer } from 'ws';
import { chromium } from 'playwright-core';
import { randomBytes } from 'node:crypto';
const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
await new Promise(r => wss.on('listening', r));
const port = wss.address().port;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox','--disable-gpu','--disable-quic','--no-first-run','--disable-background-networking','--disable-component-update','--disable-sync'] });
const page = await browser.newPage();
let t0;
wss.on('connection', (ws) => {
  ws.on('message', (d) => { console.log('echo back after', Date.now() - t0, 'ms', d.length); ws.close(); });
  t0 = Date.now(); ws.send(randomBytes(16*1024*1024));
});
const r = await page.evaluate(`new Promise((res) => { const ws = new WebSocket('ws://127.0.0.1:${port}/'); ws.binaryType='arraybuffer'; let t; ws.onmessage = (e) => { t = performance.now(); ws.send(e.data); }; ws.onclose = () => res('ok'); })`);
await browser.close(); wss.close();
