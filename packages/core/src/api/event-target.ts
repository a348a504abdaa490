import { EventEmitter } from 'node:events';
import type { Event } from './event.js';

type Handler = ((event: never) => unknown) | null;

/** A listener as `addEventListener` takes it: a function, or an object with `handleEvent`. */
export type EventListenerLike<E = Event> = ((event: E) => unknown) | { handleEvent(event: E): unknown };

/** The listener arguments an event map entry stands for. */
export type EventArgs<T> = T extends readonly unknown[] ? T : [event: T];

/**
 * What `addEventListener` hands a listener for an event map entry: the first argument
 * (`undefined` for an event emitted without one).
 */
export type EventOf<T> = EventArgs<T> extends readonly [infer E, ...unknown[]] ? E : undefined;

/** A listener for an event map entry. */
export type EventMapListener<T> = (...args: EventArgs<T>) => unknown;

/**
 * The fallback overloads' listener: for an event the map does not know (one a user or a subclass
 * emits itself), or one whose parameter the caller annotated otherwise (`(data: string) => …` on a
 * text-only connection), as ws's typings allow. As loose as Node's own `EventEmitter` listener type.
 */
// biome-ignore lint/suspicious/noExplicitAny: the fallback must take any listener, as EventEmitter's does.
type LooseListener = (...args: any[]) => unknown;

// Module-private access to each target's handler table (set in the class's static block).
let handlerOf: (target: EventTargetEmitter, type: string) => Handler;
let setHandlerOf: (target: EventTargetEmitter, type: string, handler: unknown) => void;

/** EventEmitter's own `emit`, which {@link EventTargetEmitter.emit} wraps. */
const emitEvent = EventEmitter.prototype.emit;

/**
 * The functions that stand for `handleEvent` listener objects, per target. Kept here rather than in
 * a field: most targets never see such a listener, and a field costs every idle connection 8 bytes.
 */
const wrappedListeners = new WeakMap<EventTargetEmitter, WeakMap<object, (event: Event) => unknown>>();

/**
 * The emitter's listener table (`_events`). Node makes it with `{ __proto__: null }`, a
 * dictionary-mode object of ~190 bytes; an instance of this constructor is a fast-mode object of
 * a few dozen bytes (its listeners are in-object fields) that still inherits no key: its
 * prototype has no prototype, so `_events.toString` stays undefined. Node's own streams pre-shape
 * their `_events` the same way, for the same reason.
 */
const ListenerTable = function ListenerTable() {} as unknown as new () => object;
ListenerTable.prototype = Object.create(null);

/**
 * A Node `EventEmitter` that also speaks the DOM `EventTarget` dialect, as faye-websocket does:
 * `addEventListener`/`removeEventListener`, `dispatchEvent`, and `on<type>` handler properties.
 * On dispatch the `on<type>` handler runs before the emitter listeners (faye's order).
 *
 * Subclasses declare which `on<type>` properties exist by listing the event types they fire, and
 * type their listeners with an event map (`Events`): `on`, `once`, `off`, `addListener`,
 * `removeListener`, `prependListener`, `prependOnceListener`, `addEventListener` and
 * `removeEventListener` then give each known event's listener its argument types; any other name
 * still takes a loose listener. The typed signatures are declarations only (no run-time code).
 *
 * @example
 * interface ChatEvents extends WebSocketEvents { joined: [name: string] }
 * class Chat extends WebSocket<ChatEvents> {}
 * chat.on('joined', (name) => name.toUpperCase()).on('close', (event) => event.code);
 *
 * @typeParam Events - the event map: each event's name and the arguments its listeners receive, as
 *   a tuple (`{ message: [event: MessageEvent]; end: [] }`; a value that is not a tuple stands for a
 *   single argument of that type). Type-level only: nothing of it exists at run time.
 */
// The typed listener signatures come in through the interface of the same name below: EventEmitter's
// methods are inherited, not redeclared, so the emitted class is unchanged.
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface only declares inherited methods.
export class EventTargetEmitter<Events extends object = Record<never, never>> extends EventEmitter {
  constructor() {
    super();
    (this as unknown as { _events: object })._events = new ListenerTable();
  }

  // Made on first use: most connections never set an `on<type>` handler, and an idle connection
  // should not carry an object for them.
  #handlers: Record<string, Handler> | null = null;

  static {
    handlerOf = (target, type) => target.#handlers?.[type] ?? null;
    setHandlerOf = (target, type, handler) => {
      (target.#handlers ??= {})[type] = typeof handler === 'function' ? (handler as Handler) : null;
    };
  }

  /** Adds `listener` for `type`. Options (`capture`, `once`) are accepted; `once` is honoured. */
  addEventListener<K extends keyof Events & string>(
    type: K,
    listener: EventListenerLike<EventOf<Events[K]>> | null,
    options?: boolean | { once?: boolean },
  ): void;
  addEventListener(
    type: string,
    // biome-ignore lint/suspicious/noExplicitAny: as LooseListener.
    listener: EventListenerLike<any> | null,
    options?: boolean | { once?: boolean },
  ): void;
  addEventListener(
    type: string,
    listener: EventListenerLike<unknown> | null,
    options?: boolean | { once?: boolean },
  ): void {
    if (listener === null || listener === undefined) return;
    const fn = listenerFunction(this, listener);
    if (typeof options === 'object' && options?.once) this.once(type, fn);
    else this.on(type, fn);
  }

  /** Removes a listener added with {@link addEventListener} (or `on`). */
  removeEventListener<K extends keyof Events & string>(
    type: K,
    listener: EventListenerLike<EventOf<Events[K]>> | null,
  ): void;
  removeEventListener(
    type: string,
    // biome-ignore lint/suspicious/noExplicitAny: as LooseListener.
    listener: EventListenerLike<any> | null,
  ): void;
  removeEventListener(type: string, listener: EventListenerLike<unknown> | null): void {
    if (listener === null || listener === undefined) return;
    const fn = typeof listener === 'function' ? listener : wrappedListeners.get(this)?.get(listener);
    if (fn) this.removeListener(type, fn as LooseListener);
  }

  /**
   * Delivers `event` to the `on<type>` handler, then to the emitter's listeners. Returns true, as
   * the DOM does for an event that was not cancelled; an `error` event without listeners is not
   * thrown.
   */
  dispatchEvent(event: Event): boolean {
    event.target = this;
    event.currentTarget = this;
    const handler = this.#handlers?.[event.type];
    if (typeof handler === 'function') (handler as (event: Event) => unknown).call(this, event);
    // An `error` nobody listens to is not thrown, as in the DOM. faye gets there by adding a no-op
    // listener to every socket; checking here keeps that listener (and the array a user's own
    // `error` listener would then need) off every idle connection.
    if (event.type !== 'error' || this.listenerCount('error') > 0) emitEvent.call(this, event.type, event);
    return true;
  }

  /**
   * EventEmitter's `emit`, except that an `error` with no listener returns false instead of
   * throwing. Node's `readable.pipe(ws)` removes its own `error` listener and emits the error again
   * on the socket; with nobody else listening that would crash the process, where faye's no-op
   * listener swallows it. Events the socket fires itself go through {@link dispatchEvent}.
   */
  override emit(type: string | symbol, ...args: unknown[]): boolean {
    if (type === 'error' && this.listenerCount('error') === 0) return false;
    return emitEvent.call(this, type, ...args);
  }
}

/**
 * The typed listener signatures of {@link EventTargetEmitter}'s inherited EventEmitter methods, per
 * its event map. Each method has one overload for the map's events and one for any other name
 * (which Node's own events, such as `newListener`, also go through) or for a listener annotated
 * otherwise (see LooseListener). All return `this`, for chaining.
 */
export interface EventTargetEmitter<Events extends object = Record<never, never>> {
  on<K extends keyof Events & (string | symbol)>(type: K, listener: EventMapListener<Events[K]>): this;
  on(type: string | symbol, listener: LooseListener): this;
  once<K extends keyof Events & (string | symbol)>(type: K, listener: EventMapListener<Events[K]>): this;
  once(type: string | symbol, listener: LooseListener): this;
  off<K extends keyof Events & (string | symbol)>(type: K, listener: EventMapListener<Events[K]>): this;
  off(type: string | symbol, listener: LooseListener): this;
  addListener<K extends keyof Events & (string | symbol)>(
    type: K,
    listener: EventMapListener<Events[K]>,
  ): this;
  addListener(type: string | symbol, listener: LooseListener): this;
  removeListener<K extends keyof Events & (string | symbol)>(
    type: K,
    listener: EventMapListener<Events[K]>,
  ): this;
  removeListener(type: string | symbol, listener: LooseListener): this;
  prependListener<K extends keyof Events & (string | symbol)>(
    type: K,
    listener: EventMapListener<Events[K]>,
  ): this;
  prependListener(type: string | symbol, listener: LooseListener): this;
  prependOnceListener<K extends keyof Events & (string | symbol)>(
    type: K,
    listener: EventMapListener<Events[K]>,
  ): this;
  prependOnceListener(type: string | symbol, listener: LooseListener): this;
}

/**
 * The function `addEventListener` registers for `listener`: itself, or (for a `handleEvent`
 * object) one wrapper per target and object, so that `removeEventListener` finds it again. A
 * module function, not a private method: a class with private methods costs each instance a field.
 */
function listenerFunction(
  target: EventTargetEmitter,
  listener: EventListenerLike<unknown>,
): (event: Event) => unknown {
  if (typeof listener === 'function') return listener as (event: Event) => unknown;
  let wrapped = wrappedListeners.get(target);
  if (wrapped === undefined) {
    wrapped = new WeakMap();
    wrappedListeners.set(target, wrapped);
  }
  let fn = wrapped.get(listener);
  if (!fn) {
    fn = (event: Event) => listener.handleEvent(event);
    wrapped.set(listener, fn);
  }
  return fn;
}

/**
 * Defines `on<type>` accessor properties on `target`'s prototype for each event type, backed by
 * {@link EventTargetEmitter}'s handler table.
 */
export function defineEventHandlers(
  target: { prototype: EventTargetEmitter },
  types: readonly string[],
): void {
  for (const type of types) {
    Object.defineProperty(target.prototype, `on${type}`, {
      configurable: true,
      enumerable: true,
      get(this: EventTargetEmitter) {
        return handlerOf(this, type);
      },
      set(this: EventTargetEmitter, value: unknown) {
        setHandlerOf(this, type, value);
      },
    });
  }
}

/**
 * Whether anything listens for `type` on `target`: an `on<type>` handler or an emitter listener.
 * Lets hot paths skip building an event object nobody would see.
 */
export function hasListeners(target: EventTargetEmitter, type: string): boolean {
  return handlerOf(target, type) !== null || target.listenerCount(type) > 0;
}
