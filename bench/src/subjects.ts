/** The libraries under test, each run as its own process. */
export interface Subject {
  id: string;
  /** What runs: a server, an EventSource server, or a client. */
  role: 'server' | 'sse' | 'client';
  /** Script under `src/`. */
  script: string;
  /** Environment for the process; `null` removes a variable. */
  env: Record<string, string | null>;
  /** One line saying what it is, for the README. */
  description: string;
  /**
   * The scenarios this subject serves (all of its role's when absent). Such a subject is a floor
   * the others are read against, so quick mode runs it too.
   */
  only?: readonly string[];
}

export const SUBJECTS: readonly Subject[] = [
  {
    id: 'sockeye',
    role: 'server',
    script: 'servers/sockeye-server.ts',
    env: {},
    description: '@sockeye/server (pure TypeScript, no addon)',
  },
  {
    id: 'sockeye-listen',
    role: 'server',
    script: 'servers/sockeye-listen-server.ts',
    env: {},
    description:
      "@sockeye/server's listen(): its own port, the request head read by sockeye (no http.Server)",
    only: ['handshake', 'idle'],
  },
  {
    id: 'ws',
    role: 'server',
    script: 'servers/ws-server.ts',
    env: { WS_NO_BUFFER_UTIL: '1' },
    description: 'ws 8.23 without bufferutil (WS_NO_BUFFER_UTIL=1): the pure-JS baseline',
  },
  {
    id: 'ws-native',
    role: 'server',
    script: 'servers/ws-server.ts',
    env: { WS_NO_BUFFER_UTIL: null },
    description: 'ws 8.23 with the bufferutil native addon',
  },
  {
    id: 'faye',
    role: 'server',
    script: 'servers/faye-server.ts',
    env: {},
    description: 'faye-websocket 0.11.4 (+ permessage-deflate 0.1.7 when compressing)',
  },
  {
    id: 'raw',
    role: 'server',
    script: 'servers/raw-handshake-server.ts',
    env: {},
    description:
      'no library: the 101 and the close frame written on the bare socket (handshakes), a bare upgraded socket (idle): the floor',
    only: ['handshake', 'idle'],
  },
  {
    id: 'sockeye',
    role: 'sse',
    script: 'servers/sockeye-sse-server.ts',
    env: {},
    description: '@sockeye/eventsource',
  },
  {
    id: 'faye',
    role: 'sse',
    script: 'servers/faye-server.ts',
    env: {},
    description: "faye-websocket's EventSource",
  },
  {
    id: 'raw',
    role: 'sse',
    script: 'servers/raw-sse-server.ts',
    env: {},
    description: 'raw socket writes of one pre-encoded event: the floor',
  },
  {
    id: 'sockeye',
    role: 'client',
    script: 'clients/sockeye-client.ts',
    env: {},
    description: '@sockeye/client',
  },
  {
    id: 'ws',
    role: 'client',
    script: 'clients/ws-client.ts',
    env: { WS_NO_BUFFER_UTIL: '1' },
    description: 'ws client without bufferutil',
  },
  {
    id: 'ws-native',
    role: 'client',
    script: 'clients/ws-client.ts',
    env: { WS_NO_BUFFER_UTIL: null },
    description: 'ws client with bufferutil',
  },
  {
    id: 'faye',
    role: 'client',
    script: 'clients/faye-client.ts',
    env: {},
    description: 'faye-websocket Client',
  },
];

/** The subjects of `role`. */
export function subjectsFor(role: Subject['role']): Subject[] {
  return SUBJECTS.filter((s) => s.role === role);
}
