/** A running server subject: an HTTP server on 127.0.0.1 whose upgrade handler echoes. */
export interface RunningServer {
  /** The port it listens on. */
  port: number;
  /** Stops listening and destroys every open socket. */
  close(): Promise<void>;
}

/**
 * An implementation under test. Server subjects start an echo server (subprotocol `echo`
 * supported, permessage-deflate enabled); client subjects connect to a URL, echo every message
 * and resolve once their connection is over (closed or failed).
 */
export interface Subject {
  /** Short name used in the report and on the command line (`sockeye`, `ws`, `faye`). */
  name: string;
  /** Starts the subject's echo server. */
  startServer(): Promise<RunningServer>;
  /** Connects the subject's client to `url`, echoes, resolves when it reports the close. */
  connectClient(url: string): Promise<void>;
}
