// Just enough of faye-websocket and permessage-deflate (untyped CommonJS packages) for the benchmark.
declare module 'faye-websocket' {
  import type { IncomingMessage, ServerResponse } from 'node:http';
  import type { Duplex } from 'node:stream';

  interface FayeEvent {
    data: string | Buffer;
    code?: number;
  }
  class FayeSocket {
    constructor(
      request: IncomingMessage,
      socket: Duplex,
      body: Buffer,
      protocols?: string[],
      options?: object,
    );
    on(event: 'open' | 'message' | 'close' | 'error', listener: (event: FayeEvent) => void): this;
    send(data: string | Buffer): boolean;
    close(code?: number, reason?: string): void;
    readyState: number;
    static isWebSocket(request: IncomingMessage): boolean;
    static Client: new (
      url: string,
      protocols?: string[],
      options?: object,
    ) => FayeSocket;
    static EventSource: {
      new (request: IncomingMessage, response: ServerResponse, options?: object): FayeEventSource;
      isEventSource(request: IncomingMessage): boolean;
    };
  }
  interface FayeEventSource {
    send(message: string, options?: object): boolean;
    on(event: 'close', listener: () => void): this;
    close(): void;
  }
  export = FayeSocket;
}

declare module 'permessage-deflate' {
  import type { Extension } from '@sockeye/core';

  const deflate: Extension & { configure(options: object): Extension };
  export = deflate;
}

declare module 'ws' {
  import type { Server } from 'node:http';

  class WebSocket {
    constructor(url: string, options?: object);
    readyState: number;
    on(event: 'open' | 'close', listener: () => void): this;
    on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): this;
    on(event: 'error', listener: (error: Error) => void): this;
    send(data: string | Buffer, options?: { binary?: boolean }): void;
    close(code?: number, reason?: string): void;
    terminate(): void;
    static readonly OPEN: 1;
  }
  class WebSocketServer {
    constructor(options: { server?: Server; noServer?: boolean; perMessageDeflate?: boolean | object });
    clients: Set<WebSocket>;
    on(event: 'connection', listener: (ws: WebSocket) => void): this;
  }

  export { WebSocket, WebSocketServer };
  export default WebSocket;
}
