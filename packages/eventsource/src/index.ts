export { encodeEvent, encodeRetry, type SendOptions } from './encode-event.js';
export {
  EventSource,
  type EventSourceEvents,
  type EventSourceRequest,
  type EventSourceResponse,
} from './event-source.js';
export { DEFAULT_PING, DEFAULT_RETRY, type EventSourceOptions } from './event-source-options.js';
export { type EventSourceRequestLike, isEventSource } from './is-event-source.js';
