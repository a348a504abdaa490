import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ChildMessage, ParentMessage } from '../ipc.js';

const SRC = fileURLToPath(new URL('..', import.meta.url));

/** How benchmark children load TypeScript and the workspace packages. */
export interface ChildOptions {
  /** Resolve `@sockeye/*` to `src/` (the `source` condition) rather than the built `dist/`. */
  source: boolean;
  /** Extra `execArgv` (e.g. `--cpu-prof`). */
  execArgv?: string[];
  /** Extra environment; a `null` value removes the variable. */
  env?: Record<string, string | null>;
  /**
   * A program that runs Node, with its arguments (`['valgrind', '--tool=callgrind', …]`): the child
   * is then `launcher… node <execArgv> <script>`, its IPC channel inherited through the launcher.
   */
  launcher?: readonly string[];
}

/** Whether `@sockeye/*` packages have been built (`pnpm bench` builds them first). */
export function sockeyeBuilt(): boolean {
  return ['core', 'server', 'client', 'eventsource'].every((p) =>
    existsSync(fileURLToPath(new URL(`../../../packages/${p}/dist/index.js`, import.meta.url))),
  );
}

/**
 * A forked benchmark process (`src/<script>`) and the request/answer protocol over its IPC channel:
 * every request names the answer type it waits for, with a timeout.
 */
export class Child {
  readonly process: ChildProcess;
  readonly name: string;
  #waiters: { type: string; resolve(m: ChildMessage): void; reject(e: Error): void }[] = [];
  #exited = false;
  #failure: string | undefined;

  constructor(name: string, script: string, config: object, options: ChildOptions) {
    this.name = name;
    const env: Record<string, string | undefined> = { ...process.env, BENCH_CONFIG: JSON.stringify(config) };
    for (const [key, value] of Object.entries(options.env ?? {})) {
      if (value === null) delete env[key];
      else env[key] = value;
    }
    const execArgv = ['--expose-gc', `--import=${import.meta.resolve('tsx')}`, ...(options.execArgv ?? [])];
    if (options.source) execArgv.push('--conditions=sockeye-source');
    const launcher = options.launcher ?? [];
    this.process = fork(`${SRC}${script}`, [], {
      env,
      ...(launcher.length > 0
        ? { execPath: launcher[0], execArgv: [...launcher.slice(1), process.execPath, ...execArgv] }
        : { execArgv }),
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.process.on('message', (message: ChildMessage) => {
      if (message.type === 'failure') this.#failure = message.message;
      const index = this.#waiters.findIndex((w) => w.type === message.type || message.type === 'failure');
      if (index < 0) return;
      const [waiter] = this.#waiters.splice(index, 1);
      if (message.type === 'failure') waiter?.reject(new Error(`${this.name}: ${message.message}`));
      else waiter?.resolve(message);
    });
    this.process.on('exit', (code, signal) => {
      this.#exited = true;
      const reason = this.#failure ?? `exited (${signal ?? code}) unexpectedly`;
      for (const waiter of this.#waiters.splice(0)) waiter.reject(new Error(`${this.name}: ${reason}`));
    });
  }

  /** Waits for a message of `type` (sending `request` first, if given). */
  wait<T extends ChildMessage['type']>(
    type: T,
    timeoutMs: number,
    request?: ParentMessage,
  ): Promise<Extract<ChildMessage, { type: T }>> {
    if (this.#exited) return Promise.reject(new Error(`${this.name}: ${this.#failure ?? 'has exited'}`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const index = this.#waiters.indexOf(waiter);
        if (index >= 0) this.#waiters.splice(index, 1);
        reject(new Error(`${this.name}: no '${type}' within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = {
        type,
        resolve: (m: ChildMessage) => {
          clearTimeout(timer);
          resolve(m as Extract<ChildMessage, { type: T }>);
        },
        reject: (e: Error) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      this.#waiters.push(waiter);
      if (request) this.process.send(request);
    });
  }

  /** Sends a request that has no answer. */
  send(request: ParentMessage): void {
    if (!this.#exited && this.process.connected) this.process.send(request);
  }

  /** Asks the child to exit (so `--cpu-prof` can write its profile), then kills it after 3 s. */
  async stop(): Promise<void> {
    if (this.#exited) return;
    const exited = new Promise<void>((resolve) => this.process.once('exit', () => resolve()));
    this.send({ type: 'stop' });
    const timer = setTimeout(() => this.process.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }
}
