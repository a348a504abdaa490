import { WebSocket } from './websocket.js';

/** The faye-websocket-shaped export: `import WebSocket from 'sockeye'` as `require('sockeye')`. */
export default WebSocket;

export * from './parts.js';
export { WebSocket };
