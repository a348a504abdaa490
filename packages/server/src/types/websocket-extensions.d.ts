// Ambient type of npm `websocket-extensions` for the interim handshake (core types it for itself).
declare module 'websocket-extensions' {
  import type { Extension } from '@sockeye/core';
  class Extensions {
    constructor(options?: { maxLength?: number });
    add(extension: Extension): void;
    generateResponse(header: string): string | null;
  }
  export = Extensions;
}
