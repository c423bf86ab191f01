import type { Logger } from 'pino';
import type { IdentityEvents } from '../web/identity-events.js';
import type { SessionStore } from './session-store.js';

const BATCH = 500;

/**
 * Records the logoff of sessions that ended by their idle or absolute timeout (SV-7.9: logoff
 * times), as `auth.logoff` with the reason and the moment the session ended, so a trail shows
 * when every session stopped, not only the ones signed out by hand.
 */
export class SessionExpirySweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly sessions: SessionStore,
    private readonly events: IdentityEvents,
    private readonly logger: Pick<Logger, 'error'>,
    private readonly intervalMs = 60_000,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      this.running = this.running.then(() => this.sweepLogged());
    }, this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** A failed sweep is logged; the next one tries again. */
  private async sweepLogged(): Promise<void> {
    try {
      await this.sweep();
    } catch (error) {
      this.logger.error({ err: error }, 'session expiry sweep failed');
    }
  }

  /** Ends every expired session, in batches; returns how many. */
  async sweep(): Promise<number> {
    let ended = 0;
    for (;;) {
      const expired = await this.sessions.endExpired(BATCH);
      for (const session of expired) {
        await this.events.emit({
          action: 'auth.logoff',
          outcome: 'success',
          tenantId: session.tenantId,
          userId: session.userId,
          reason: `${session.reason} at ${session.endedAt.toISOString()}`,
          target: { type: 'session', id: session.id },
          clientIp: session.clientIp ?? undefined,
          userAgent: session.userAgent ?? undefined,
          deviceId: session.deviceId ?? undefined,
        });
      }
      ended += expired.length;
      if (expired.length < BATCH) return ended;
    }
  }
}
