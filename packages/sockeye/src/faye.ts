// The CommonJS entry: `module.exports = WebSocket`, exactly the shape of `require('faye-websocket')`.
// tsup's cjsInterop turns this lone default export into `module.exports`.
import { WebSocket } from './websocket.js';

export default WebSocket;
