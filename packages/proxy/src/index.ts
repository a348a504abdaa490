export {
  basicCredentials,
  buildConnectRequest,
  type ConnectRequestOptions,
  type ConnectTarget,
  connectAuthority,
} from './connect-request.js';
export { type ConnectReply, type ConnectResponseOptions, ConnectResponseParser } from './connect-response.js';
export { type Environment, matchesNoProxy, parseProxyUrl, proxyFromEnvironment } from './proxy-from-env.js';
export { openTunnel, type TunnelOptions } from './tunnel.js';
