// Ambient types for the npm `websocket-extensions` package (0.2.0), which ships none.
declare module 'websocket-extensions' {
  import type { Extension, ExtensionFrame, ExtensionMessage } from '../protocol/extension.js';

  type MessageCallback = (error: Error | null, message: ExtensionMessage | null) => void;

  class Extensions {
    constructor(options?: { maxLength?: number });
    add(extension: Extension): void;
    generateOffer(): string | null;
    activate(header: string): void;
    generateResponse(header: string): string | null;
    validFrameRsv(frame: ExtensionFrame): boolean;
    processIncomingMessage(message: ExtensionMessage, callback: MessageCallback, context?: unknown): void;
    processOutgoingMessage(message: ExtensionMessage, callback: MessageCallback, context?: unknown): void;
    close(callback?: () => void, context?: unknown): void;
  }
  export = Extensions;
}
