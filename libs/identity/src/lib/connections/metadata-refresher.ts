import type { Logger } from 'pino';
import type { IdpMetadata } from '../saml/idp-metadata.js';
import type { SamlSettings } from '../web/federation-registry.js';
import type { IdentityEvent, IdentityEvents } from '../web/identity-events.js';
import { IdpMetadataFetchError, type IdpMetadataSource } from './fetch-idp-metadata.js';
import type { SsoConnection, SsoConnectionRepository } from './sso-connection-repository.js';

export type MetadataRefreshLogger = Pick<Logger, 'info' | 'warn' | 'error'>;

export interface MetadataRefreshOptions {
  /** How old metadata may get before it is read again. Default 24 hours. */
  readonly intervalMs?: number;
  readonly now?: () => Date;
}

export interface MetadataRefreshResult {
  readonly connectionId: string;
  /** `refused`: the metadata names another IdP. `failed`: no usable metadata was read. Both keep the settings as they were. */
  readonly outcome: 'updated' | 'unchanged' | 'refused' | 'failed';
  /** What changed, or why nothing was applied. */
  readonly detail?: string;
}

const HOUR_MS = 60 * 60 * 1000;
const DEFAULT_INTERVAL_MS = 24 * HOUR_MS;
/** How often due connections are looked for; a failed or refused refresh is retried at this pace, and reported again. */
const CHECK_EVERY_MS = HOUR_MS;
const EVENT_OUTCOMES = { updated: 'success', refused: 'denied', failed: 'failure' } as const satisfies Record<string, IdentityEvent['outcome']>;

/**
 * Keeps SAML connections that were added from a metadata URL in step with their IdP (SE-7.1).
 * Entra publishes its next signing certificate beside the current one weeks before it switches, so
 * replacing the certificate list with the metadata's list makes both valid through the rollover.
 *
 * Only certificates and endpoints follow the metadata. A different entity id means the URL now
 * describes another IdP (another customer's tenant, or a hijacked host), so it is refused and
 * reported rather than trusted. The SP's own key and certificate are never touched.
 */
export class MetadataRefresher {
  private readonly intervalMs: number;
  private readonly now: () => Date;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly connections: SsoConnectionRepository,
    private readonly fetchMetadata: IdpMetadataSource,
    /** Drops the cached protocol engine, so the next sign-in is checked against the new certificates. */
    private readonly forget: (connectionId: string) => void,
    private readonly events: IdentityEvents,
    private readonly logger: MetadataRefreshLogger,
    options: MetadataRefreshOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
    this.now = options.now ?? (() => new Date());
  }

  /** Refreshes now, then looks for due connections every hour. The timer does not keep the process alive. */
  start(): void {
    if (this.timer) return;
    this.runInBackground();
    this.timer = setInterval(() => this.runInBackground(), CHECK_EVERY_MS);
    this.timer.unref();
  }

  /** Stops the timer and waits for a refresh in progress, so the database can be closed after it. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Refreshes every connection whose metadata is older than the interval, one after another. */
  async refreshDue(): Promise<MetadataRefreshResult[]> {
    const due = await this.connections.listDueForMetadataRefresh(new Date(this.now().getTime() - this.intervalMs));
    const results: MetadataRefreshResult[] = [];
    for (const connection of due) results.push(await this.refresh(connection));
    return results;
  }

  /** Fetches the connection's metadata from its URL and applies it. A fetch that fails keeps the current settings. */
  async refresh(connection: SsoConnection): Promise<MetadataRefreshResult> {
    if (!connection.metadataUrl) throw new Error(`SSO connection ${connection.id} has no metadata URL`);
    let metadata: IdpMetadata;
    try {
      metadata = await this.fetchMetadata(connection.metadataUrl);
    } catch (error) {
      if (!(error instanceof IdpMetadataFetchError)) throw error;
      return this.report(connection, { outcome: 'failed', detail: error.message });
    }
    return this.applyMetadata(connection, metadata);
  }

  /** Applies metadata however it was obtained: from the connection's URL, or from a file an operator declared. */
  async applyMetadata(connection: SsoConnection, metadata: IdpMetadata): Promise<MetadataRefreshResult> {
    const current = connection.settings as unknown as SamlSettings;
    if (metadata.idpEntityId !== current.idpEntityId) {
      return this.report(connection, {
        outcome: 'refused',
        detail: `metadata names IdP "${metadata.idpEntityId}", the connection trusts "${current.idpEntityId}"; remove and add the connection to change IdP`,
      });
    }
    const next: SamlSettings = {
      ...(current.spEntityId ? { spEntityId: current.spEntityId } : {}),
      idpEntityId: current.idpEntityId,
      idpSsoUrl: metadata.idpSsoUrl,
      ...(metadata.idpSloUrl ? { idpSloUrl: metadata.idpSloUrl } : {}),
      idpSigningCertsPem: metadata.idpSigningCertsPem,
      spSigningCertPem: current.spSigningCertPem,
    };
    const changes = describeChanges(current, next);
    await this.connections.updateSettings(connection, changes.length > 0 ? (next as unknown as Record<string, unknown>) : connection.settings);
    if (changes.length === 0) return { connectionId: connection.id, outcome: 'unchanged' };
    this.forget(connection.id);
    return this.report(connection, { outcome: 'updated', detail: changes.join('; ') });
  }

  private runInBackground(): void {
    if (this.running) return;
    this.running = this.refreshDue()
      .catch((error: unknown) => this.logger.error({ err: error }, 'IdP metadata refresh stopped'))
      .finally(() => {
        this.running = undefined;
      });
  }

  private async report(
    connection: SsoConnection,
    result: { outcome: Exclude<MetadataRefreshResult['outcome'], 'unchanged'>; detail: string },
  ): Promise<MetadataRefreshResult> {
    await this.events.emit({
      action: 'sso.connection.metadata-refresh',
      outcome: EVENT_OUTCOMES[result.outcome],
      tenantId: connection.tenantId,
      connectionId: connection.id,
      protocol: 'saml',
      reason: result.detail,
    });
    const log = { connectionId: connection.id, tenantId: connection.tenantId, outcome: result.outcome, detail: result.detail };
    if (result.outcome === 'updated') this.logger.info(log, 'IdP metadata refreshed');
    else this.logger.warn(log, 'IdP metadata not applied; the connection keeps its settings');
    return { connectionId: connection.id, ...result };
  }
}

function describeChanges(current: SamlSettings, next: SamlSettings): string[] {
  const changes: string[] = [];
  const before = new Set(current.idpSigningCertsPem);
  const after = new Set(next.idpSigningCertsPem);
  const added = [...after].filter((pem) => !before.has(pem)).length;
  const removed = [...before].filter((pem) => !after.has(pem)).length;
  if (added > 0 || removed > 0) {
    changes.push(`signing certificates: ${added} added, ${removed} removed, ${after.size} trusted`);
  }
  if (current.idpSsoUrl !== next.idpSsoUrl) changes.push(`sign-in URL: ${current.idpSsoUrl} -> ${next.idpSsoUrl}`);
  if (current.idpSloUrl !== next.idpSloUrl) changes.push(`logout URL: ${current.idpSloUrl ?? 'none'} -> ${next.idpSloUrl ?? 'none'}`);
  return changes;
}
