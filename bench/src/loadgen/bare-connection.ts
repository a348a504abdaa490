/**
 * The generator's client socket: libuv's TCP handle, the object Node's own `net` module wraps
 * (`process.binding('tcp_wrap')`), driven without the `net.Socket`, stream and event layers above
 * it. Every driver's connections are these.
 *
 * The handshakes are why. A handshake is a whole connection's life, and through `net.Socket` the
 * generator spent 120–170 µs of CPU on one, as much as sockeye's server does: on two cores the two
 * processes then shared the CPU that decides the rate. On the handle it spends about 90 µs, two
 * thirds of them in the kernel's connect, write and close, so the server is what runs out first.
 * For reads and writes on open connections the handle saves less (echo 32 B: 53 % of a core
 * instead of 67 % against sockeye).
 *
 * `process.binding` is deprecated (DEP0111). Where this Node no longer has it,
 * {@link openBareConnection} falls back to a `net.Socket` with the same interface.
 */
import { connect, type Socket } from 'node:net';
import { READ_BUFFER, sharedRead } from './shared-read.js';

/**
 * What a {@link BareConnection} reports. `onData`'s `chunk` is a view of the buffer every
 * connection reads into: valid until the callback returns.
 */
export interface BareConnectionEvents {
  onConnect(conn: BareConnection): void;
  onData(conn: BareConnection, chunk: Buffer): void;
  /** The peer's FIN. If ours is out too, the connection closes next, as a `net.Socket` does. */
  onEnd(conn: BareConnection): void;
  /** Connect, read or write failed; the connection closes next. */
  onError(conn: BareConnection): void;
  /** Closed, whoever closed it; called once. */
  onClose(conn: BareConnection): void;
}

/** A client connection to 127.0.0.1 that only writes, half-closes and closes. */
export interface BareConnection {
  /** When the connection started, for a driver's stall sweep. */
  readonly startedAt: number;
  write(data: Uint8Array): void;
  /** Sends FIN after the writes before it (and closes once the peer's FIN is in too). */
  end(): void;
  close(): void;
}

/**
 * Connects to `127.0.0.1:port`, on the TCP handle when this Node has it (`preferHandle`, the
 * default) and through `net` otherwise.
 */
export function openBareConnection(
  port: number,
  events: BareConnectionEvents,
  preferHandle = true,
): BareConnection {
  return preferHandle && bindings
    ? new HandleConnection(port, events, bindings)
    : new NetConnection(port, events);
}

/** Whether this Node exposes the TCP handle. */
export function tcpHandleAvailable(): boolean {
  return bindings !== null;
}

/** What the `tcp_wrap` and `stream_wrap` bindings hand out, as far as this file uses them. */
interface Handle {
  connect(req: object, address: string, port: number): number;
  setNoDelay(on: boolean): number;
  useUserBuffer(buffer: Uint8Array): void;
  readStart(): number;
  writeBuffer(req: object, data: Uint8Array): number;
  shutdown(req: object): number;
  close(callback: () => void): void;
  onread: (this: Handle) => void;
  owner: HandleConnection;
}
interface Bindings {
  TCP: new (type: number) => Handle;
  TCPConnectWrap: new () => { oncomplete: (status: number, handle: Handle) => void };
  SOCKET: number;
  WriteWrap: new () => { handle: Handle; oncomplete: () => void; async: boolean; buffer: Uint8Array };
  ShutdownWrap: new () => { handle: Handle; oncomplete: (this: { handle: Handle }) => void };
  /** Where the handle leaves a read's length (or a negative libuv error) for `onread`. */
  state: Int32Array;
  kReadBytesOrError: number;
}

/** libuv's end-of-file, the same on every platform. */
const UV_EOF = -4095;

function loadBindings(): Bindings | null {
  try {
    const binding = (process as unknown as { binding(name: string): Record<string, unknown> }).binding;
    const tcp = binding('tcp_wrap');
    const stream = binding('stream_wrap');
    const loaded = {
      TCP: tcp.TCP,
      TCPConnectWrap: tcp.TCPConnectWrap,
      SOCKET: (tcp.constants as { SOCKET?: number } | undefined)?.SOCKET,
      WriteWrap: stream.WriteWrap,
      ShutdownWrap: stream.ShutdownWrap,
      state: stream.streamBaseState,
      kReadBytesOrError: stream.kReadBytesOrError,
    } as Partial<Bindings>;
    return Object.values(loaded).every((value) => value !== undefined) ? (loaded as Bindings) : null;
  } catch {
    return null;
  }
}

const bindings = loadBindings();

function noop(): void {}

function onConnected(status: number, handle: Handle): void {
  if (status === 0) handle.owner.connected();
  else handle.owner.fail();
}

function onRead(this: Handle): void {
  const conn = this.owner;
  const n = conn.bindings.state[conn.bindings.kReadBytesOrError] as number;
  if (n > 0) conn.events.onData(conn, READ_BUFFER.subarray(0, n));
  else if (n === UV_EOF) conn.peerEnded();
  else if (n < 0) conn.fail();
}

function onShutdown(this: { handle: Handle }): void {
  this.handle.owner.shutDown();
}

class HandleConnection implements BareConnection {
  readonly startedAt = Date.now();
  readonly events: BareConnectionEvents;
  readonly bindings: Bindings;
  readonly #handle: Handle;
  #closed = false;
  /** Both ways done (the peer's FIN read, ours sent) closes the handle, as `net` does. */
  #peerEnded = false;
  #shutDown = false;

  constructor(port: number, events: BareConnectionEvents, bindings: Bindings) {
    this.events = events;
    this.bindings = bindings;
    this.#handle = new bindings.TCP(bindings.SOCKET);
    this.#handle.owner = this;
    this.#handle.onread = onRead;
    const req = new bindings.TCPConnectWrap();
    req.oncomplete = onConnected;
    if (this.#handle.connect(req, '127.0.0.1', port) !== 0) queueMicrotask(() => this.fail());
  }

  connected(): void {
    if (this.#closed) return;
    this.#handle.setNoDelay(true);
    this.#handle.useUserBuffer(READ_BUFFER);
    if (this.#handle.readStart() !== 0) this.fail();
    else this.events.onConnect(this);
  }

  write(data: Uint8Array): void {
    if (this.#closed) return;
    // libuv writes what the socket takes at once and queues the rest; the request holds `data`
    // until that completes.
    const req = new this.bindings.WriteWrap();
    req.handle = this.#handle;
    req.oncomplete = noop;
    req.async = false;
    req.buffer = data;
    if (this.#handle.writeBuffer(req, data) !== 0) this.fail();
  }

  end(): void {
    if (this.#closed) return;
    const req = new this.bindings.ShutdownWrap();
    req.handle = this.#handle;
    req.oncomplete = onShutdown;
    if (this.#handle.shutdown(req) !== 0) this.fail();
  }

  peerEnded(): void {
    this.#peerEnded = true;
    this.events.onEnd(this);
    if (this.#shutDown) this.close();
  }

  shutDown(): void {
    this.#shutDown = true;
    if (this.#peerEnded) this.close();
  }

  fail(): void {
    if (this.#closed) return;
    this.events.onError(this);
    this.close();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#handle.close(() => this.events.onClose(this));
  }
}

class NetConnection implements BareConnection {
  readonly startedAt = Date.now();
  readonly #socket: Socket;

  constructor(port: number, events: BareConnectionEvents) {
    this.#socket = connect({
      port,
      host: '127.0.0.1',
      noDelay: true,
      allowHalfOpen: true,
      onread: sharedRead((chunk) => events.onData(this, chunk)),
    });
    this.#socket.on('connect', () => events.onConnect(this));
    this.#socket.on('end', () => events.onEnd(this));
    this.#socket.on('error', () => events.onError(this));
    this.#socket.on('close', () => events.onClose(this));
  }

  write(data: Uint8Array): void {
    this.#socket.write(data);
  }

  end(): void {
    this.#socket.end();
  }

  close(): void {
    this.#socket.destroy();
  }
}
