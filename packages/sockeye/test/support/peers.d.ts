// The interop peers ship no types (ws's live in @types/ws, not installed): typed loosely for tests.
declare module 'ws';
declare module 'faye-websocket';
declare module 'permessage-deflate';
