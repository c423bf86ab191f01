import type { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { applyDeclarations, loadDeclarations } from './connections/declarations.js';
import type { MetadataRefresher } from './connections/metadata-refresher.js';
import type { SsoAdministration } from './connections/sso-administration.js';
import type { SessionExpirySweeper } from './sessions/session-expiry-sweeper.js';

/**
 * At start: applies the SSO declarations file (infrastructure as code), then keeps IdP metadata
 * fresh and records the logoff of expired sessions. The file is applied before the service
 * accepts sign-ins, so a declared connection works from the first request.
 */
export class IdentityStartup implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    private readonly administration: SsoAdministration,
    private readonly refresher: MetadataRefresher,
    private readonly logger: Logger,
    private readonly declarationsFile: string | undefined,
    private readonly expirySweeper: SessionExpirySweeper,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.declarationsFile) {
      const results = await applyDeclarations(loadDeclarations(this.declarationsFile), this.administration, this.refresher);
      for (const result of results) {
        const { certificatePem, ...summary } = result;
        const level = result.outcome === 'refused' || result.outcome === 'failed' ? 'warn' : 'info';
        this.logger[level]({ declaration: summary, ...(certificatePem ? { certificateToRegister: certificatePem } : {}) }, 'SSO declaration applied');
      }
    }
    this.refresher.start();
    this.expirySweeper.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.refresher.stop();
    await this.expirySweeper.stop();
  }
}
