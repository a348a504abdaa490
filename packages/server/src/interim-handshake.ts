// TEMPORARY stand-in for @sockeye/core's `acceptHandshake` (protocol/handshake-server.ts, being written
// by another helper), with the same signature and result, hybi-13 only. Delete this file and import
// `acceptHandshake`/`isWebSocketRequest`/`nodeDigest` from '@sockeye/core' once they are exported.
import { createHash } from 'node:crypto';
import { ErrorCode, type Extension, type ExtensionPipeline, HandshakeError } from '@sockeye/core';
import Extensions from 'websocket-extensions';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

interface RequestLike {
  method?: string | undefined;
  headers: Record<string, string | string[] | undefined>;
}

export interface InterimOptions {
  protocols?: readonly string[] | null;
  extensions?: readonly Extension[];
  maxLength?: number;
  allowDrafts?: boolean;
  headers?: Record<string, string | number | readonly string[]>;
  url?: string;
}

export type InterimResult =
  | {
      ok: true;
      version: 'hybi-13' | 'hixie-76' | 'hixie-75';
      protocol: string;
      extensions: ExtensionPipeline | null;
      response: Buffer;
      awaitingBody: boolean;
    }
  | { ok: false; error: HandshakeError; response: Buffer };

function header(request: RequestLike, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function tokens(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((t) => t.trim().toLowerCase())
    .filter((t) => t !== '');
}

export function isWebSocketRequest(request: RequestLike): boolean {
  return (
    request.method === 'GET' &&
    tokens(header(request, 'connection')).includes('upgrade') &&
    tokens(header(request, 'upgrade')).includes('websocket')
  );
}

function failure(status: number, code: ErrorCode, message: string, extra = ''): InterimResult {
  const reason = status === 426 ? 'Upgrade Required' : 'Bad Request';
  const response = Buffer.from(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(message)}\r\n${extra}Connection: close\r\n\r\n${message}`,
  );
  return { ok: false, error: new HandshakeError(code, message, { statusCode: status }), response };
}

export function acceptHandshake(request: RequestLike, options: InterimOptions): InterimResult {
  if (!isWebSocketRequest(request)) {
    return failure(400, ErrorCode.HandshakeInvalidRequest, 'Not a WebSocket upgrade request');
  }
  const version = header(request, 'sec-websocket-version');
  if (version !== '13') {
    return failure(
      426,
      ErrorCode.HandshakeUnsupportedVersion,
      `Unsupported WebSocket version: ${version}`,
      'Sec-WebSocket-Version: 13\r\n',
    );
  }
  const key = request.headers['sec-websocket-key'];
  if (typeof key !== 'string' || !/^[A-Za-z0-9+/]{22}==$/.test(key.trim())) {
    return failure(400, ErrorCode.HandshakeInvalidKey, 'Missing or invalid Sec-WebSocket-Key header');
  }
  const accept = createHash('sha1').update(key.trim() + GUID).digest('base64');
  let protocol = '';
  const supported = options.protocols ?? [];
  for (const offered of (header(request, 'sec-websocket-protocol') ?? '').split(',')) {
    const name = offered.trim();
    if (name !== '' && supported.includes(name)) {
      protocol = name;
      break;
    }
  }
  let pipeline: ExtensionPipeline | null = null;
  let extensionResponse: string | null = null;
  if (options.extensions !== undefined && options.extensions.length > 0) {
    const extensions = new Extensions({ maxLength: options.maxLength ?? 2 ** 26 - 1 });
    for (const extension of options.extensions) extensions.add(extension);
    try {
      extensionResponse = extensions.generateResponse(header(request, 'sec-websocket-extensions') ?? '');
    } catch (error) {
      return failure(400, ErrorCode.HandshakeInvalidRequest, `Invalid Sec-WebSocket-Extensions header: ${(error as Error).message}`);
    }
    if (extensionResponse !== null && extensionResponse !== '') pipeline = extensions as unknown as ExtensionPipeline;
  }
  const lines = ['HTTP/1.1 101 Switching Protocols'];
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    for (const one of Array.isArray(value) ? value : [value]) lines.push(`${name}: ${String(one)}`);
  }
  lines.push('Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Accept: ${accept}`);
  if (protocol !== '') lines.push(`Sec-WebSocket-Protocol: ${protocol}`);
  if (pipeline !== null) lines.push(`Sec-WebSocket-Extensions: ${extensionResponse}`);
  return {
    ok: true,
    version: 'hybi-13',
    protocol,
    extensions: pipeline,
    response: Buffer.from(`${lines.join('\r\n')}\r\n\r\n`),
    awaitingBody: false,
  };
}
