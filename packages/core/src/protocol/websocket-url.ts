/**
 * Parses and checks the URL a client connects to, the way the WHATWG WebSocket constructor does
 * (steps 1–7 of "new WebSocket(url, protocols)"), except that `http:`/`https:` are refused as
 * faye refuses them rather than rewritten: only `ws:` and `wss:` are WebSocket URLs.
 * Default ports (80 for `ws:`, 443 for `wss:`) are implied; the returned `URL` never carries them.
 * @see https://websockets.spec.whatwg.org/#dom-websocket-websocket
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-3
 *
 * @throws SyntaxError `"<url> is not a valid WebSocket URL"` when `input` does not parse, has
 *   another scheme, has no host or has a fragment (RFC 6455 §3: "Fragment identifiers are
 *   meaningless in the context of WebSocket URIs and MUST NOT be used on these URIs").
 */
export function parseWebSocketUrl(input: string | URL): URL {
  const text = typeof input === 'string' ? input : input.href;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalidUrl(text);
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw invalidUrl(text);
  if (url.hostname === '') throw invalidUrl(text);
  // After parsing, '#' survives only as the fragment delimiter (elsewhere it is percent-encoded),
  // so this also catches an empty fragment, which `url.hash` reports as ''.
  if (url.href.includes('#')) throw invalidUrl(text);
  return url;
}

/**
 * The TCP port of a WebSocket URL (or of a proxy's `http:`/`https:` URL): its explicit port, else
 * 443 for `wss:` and `https:`, 80 for `ws:` and `http:`.
 */
export function webSocketUrlPort(url: URL): number {
  if (url.port !== '') return Number(url.port);
  return url.protocol === 'wss:' || url.protocol === 'https:' ? 443 : 80;
}

/**
 * Where to connect for a WebSocket or proxy URL: its host, an IPv6 literal without the brackets
 * the URL writes it with (as `net.connect` takes it), and {@link webSocketUrlPort}.
 */
export function urlEndpoint(url: URL): { host: string; port: number } {
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return { host, port: webSocketUrlPort(url) };
}

function invalidUrl(text: string): SyntaxError {
  return new SyntaxError(`${text} is not a valid WebSocket URL`);
}
