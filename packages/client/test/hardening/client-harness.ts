import { type ObservedSocket, observeSocket } from '../../../../test-support/hardening/observe-socket.js';
import { Client, type ClientOptions } from '../../src/index.js';

/** What a test saw of one client. */
export type ObservedClient = ObservedSocket<Client>;

/** Opens a client to `url` and records its events. */
export function observe(url: string, options: ClientOptions = {}, protocols: string[] = []): ObservedClient {
  return observeSocket(new Client(url, protocols, options));
}
