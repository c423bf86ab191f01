import { sendToParent, type FromServer, type ServerSettings, type ToServer } from './protocol.js';

export interface StartedServer {
  /** e.g. https://127.0.0.1:40123 */
  readonly origin: string;
  close(): Promise<void>;
}

/**
 * The child side of a server target: starts the server when the bench process says so, reports
 * its CPU time on request (to show whether it was saturated) and closes it on stop, or when the
 * bench process is gone.
 */
export function serveBenchmarkTarget<Settings = ServerSettings>(start: (settings: Settings) => Promise<StartedServer>): void {
  let server: StartedServer | undefined;
  let closing: Promise<void> | undefined;
  const closeAndExit = () => {
    closing ??= (server?.close() ?? Promise.resolve()).then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`server did not close cleanly: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };

  process.on('disconnect', closeAndExit);
  process.on('message', (message: ToServer<Settings>) => {
    switch (message.type) {
      case 'start':
        void start(message.settings).then((started) => {
          server = started;
          sendToParent<FromServer>({ type: 'listening', origin: started.origin });
        });
        return;
      case 'cpu':
        sendToParent<FromServer>({ type: 'cpu', usage: process.cpuUsage() });
        return;
      case 'stop':
        closeAndExit();
        return;
    }
  });
}
