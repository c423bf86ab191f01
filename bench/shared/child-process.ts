import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';

const TYPESCRIPT_LOADER = ['--import', '@swc-node/register/esm-register'];
const STOP_GRACE_MS = 10_000;

/**
 * With taskset (Linux) and two cores, the server and the load generator each get a core of
 * their own; the scheduler would otherwise let them, and their GC threads, share one now and then.
 */
export const CORE_PINNING = spawnSync('taskset', ['--version'], { stdio: 'ignore' }).status === 0 && availableParallelism() >= 2;

type Message = { readonly type: string };

/** A Node child running a TypeScript file, talked to over IPC, optionally pinned to one CPU. */
export class BenchChild<Incoming extends Message, Outgoing extends Message> {
  readonly #process: ChildProcess;
  readonly #exited: Promise<void>;
  #stopping = false;

  constructor(
    readonly name: string,
    script: URL,
    cpu: number,
    signal: AbortSignal,
  ) {
    const node = [process.execPath, ...TYPESCRIPT_LOADER, fileURLToPath(script)];
    const [command, ...args] = CORE_PINNING ? ['taskset', '--cpu-list', String(cpu), ...node] : node;
    this.#process = spawn(command!, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.#exited = new Promise((resolve) => this.#process.once('exit', () => resolve()));
    const kill = () => this.#process.kill('SIGTERM');
    signal.addEventListener('abort', kill, { once: true });
    void this.#exited.then(() => signal.removeEventListener('abort', kill));
  }

  /** Sends a message and waits for the child's reply of the given type. */
  request<T extends Incoming['type']>(message: Outgoing, replyType: T, timeoutMs: number): Promise<Extract<Incoming, { type: T }>> {
    return new Promise((resolve, reject) => {
      const settle = (outcome: () => void) => {
        clearTimeout(timer);
        this.#process.off('message', onMessage);
        this.#process.off('exit', onExit);
        outcome();
      };
      const onMessage = (reply: Incoming) => {
        if (reply.type === replyType) settle(() => resolve(reply as Extract<Incoming, { type: T }>));
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
        settle(() => reject(new Error(`${this.name} exited (${signal ?? `code ${code}`}) while we waited for "${replyType}"`)));
      const timer = setTimeout(
        () => settle(() => reject(new Error(`${this.name} did not answer "${message.type}" within ${timeoutMs / 1000} s`))),
        timeoutMs,
      );
      this.#process.on('message', onMessage);
      this.#process.once('exit', onExit);
      if (this.#process.exitCode !== null || this.#process.signalCode !== null) {
        onExit(this.#process.exitCode, this.#process.signalCode);
        return;
      }
      this.#process.send(message, (error) => {
        if (error) settle(() => reject(error));
      });
    });
  }

  /** Asks the child to close cleanly (so logs are flushed), and kills it when it does not in time. */
  async stop(stopMessage: Outgoing): Promise<void> {
    if (this.#stopping) return this.#exited;
    this.#stopping = true;
    // After Ctrl-C the child may already be going (SIGTERM) while its channel still looks
    // connected; the send then fails with EPIPE, which without a callback would be thrown as an
    // unhandled 'error' event. Its exit is awaited below either way.
    if (this.#process.connected) this.#process.send(stopMessage, () => undefined);
    const timer = setTimeout(() => this.#process.kill('SIGKILL'), STOP_GRACE_MS);
    await this.#exited;
    clearTimeout(timer);
  }
}
