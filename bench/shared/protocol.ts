/** Messages between the bench process and its children over the Node IPC channel (JSON). */

/** What the HTTP servers under test need (the kit's and http-stack's); each uses its part. */
export interface ServerSettings {
  readonly certFile: string;
  readonly keyFile: string;
  /** The kit's JSON log file; a real file, as in production. */
  readonly logFile: string;
  /** The environment `loadConfig` reads for the kit's own stack. */
  readonly veiligEnv: Readonly<Record<string, string>>;
}

export type ToServer<Settings = ServerSettings> = { type: 'start'; settings: Settings } | { type: 'cpu' } | { type: 'stop' };

export type FromServer = { type: 'listening'; origin: string } | { type: 'cpu'; usage: NodeJS.CpuUsage };

export interface LoadRequest {
  readonly url: string;
  readonly connections: number;
  readonly seconds: number;
  /** Sent with every request, e.g. a session cookie. */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface LoadResult {
  readonly responses: number;
  readonly durationSeconds: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  /** Connection errors and timeouts together. */
  readonly errors: number;
  readonly non2xx: number;
  readonly statusCounts: Readonly<Record<string, number>>;
  /** Bytes of 2xx responses, headers included. */
  readonly bytes: number;
  /** CPU time the load generator used during the run, microseconds. */
  readonly cpuMicros: number;
}

export type ToLoadGenerator = { type: 'load'; request: LoadRequest } | { type: 'stop' };

export type FromLoadGenerator = { type: 'loaded'; result: LoadResult };

/** For any child of the bench process: the IPC channel is its only way to report. */
export function sendToParent<Message extends { readonly type: string }>(message: Message): void {
  if (!process.send) throw new Error('not started by the bench runner: no IPC channel');
  process.send(message);
}
