import { Body, Controller, Get, Header, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { CookieWriter, Public } from '@veilig/platform-http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import { SsoConnectionRepository } from '../connections/sso-connection-repository.js';
import { tenantAllowsAddress } from '../directory/ip-allow-list.js';
import { TenantDirectory, type Tenant } from '../directory/tenant-directory.js';
import { SESSION_COOKIE } from '../http/session-cookie.js';
import { LocalSignIn } from '../local/local-sign-in.js';
import { ipThrottleKey } from '../local/login-throttle.js';
import { PasswordHasher } from '../local/password-hasher.js';
import { checkPassword, describePasswordRefusal } from '../local/password-policy.js';
import { generateRecoveryCodes } from '../local/recovery-codes.js';
import { TotpAuthenticator } from '../local/totp.js';
import { SecretBox } from '../secret-box.js';
import { SessionStore } from '../sessions/session-store.js';
import { PostgresLocalAccountStore, PostgresThrottleStore } from '../stores/postgres-local-stores.js';
import { IdentityEvents } from './identity-events.js';
import {
  LOGIN_COOKIE,
  LOGIN_STEP_SECONDS,
  openDiscoveryTicket,
  openPendingLogin,
  sealDiscoveryTicket,
  sealPendingLogin,
  type PendingLocalLogin,
} from './login-state.js';
import {
  chooseConnectionPage,
  continueToIdpPage,
  discoveryPage,
  enrolPage,
  GENERIC_FAILURE,
  passwordPage,
  recoveryCodesPage,
  secondFactorPage,
} from './pages.js';
import { readCookie } from './read-cookie.js';

const DISCOVERY_LIMIT = { attempts: 30, windowMs: 10 * 60_000 };

type FormBody = Record<string, string | undefined>;

/**
 * Tenant discovery and the local (password + authenticator app) sign-in. A federated tenant
 * only ever gets its SSO connections here: the password routes refuse it on the server (SE-7.2),
 * and the database refuses a password for it as well.
 */
@Public()
@Controller('login')
export class LoginController {
  constructor(
    private readonly tenants: TenantDirectory,
    private readonly connections: SsoConnectionRepository,
    private readonly localSignIn: LocalSignIn,
    private readonly accounts: PostgresLocalAccountStore,
    private readonly totp: TotpAuthenticator,
    private readonly hasher: PasswordHasher,
    private readonly throttleStore: PostgresThrottleStore,
    private readonly sessions: SessionStore,
    private readonly cookies: CookieWriter,
    private readonly secretBox: SecretBox,
    private readonly events: IdentityEvents,
  ) {}

  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  discoveryForm(): string {
    return discoveryPage();
  }

  /** Answers known and unknown organisations alike, and is rate limited per address. */
  @Post()
  async discover(@Req() request: FastifyRequest, @Body() body: FormBody, @Res() reply: FastifyReply): Promise<void> {
    const key = `discovery:${ipThrottleKey(request.ip)}`;
    const now = new Date();
    if ((await this.throttleStore.recentFailures(key, new Date(now.getTime() - DISCOVERY_LIMIT.windowMs))) >= DISCOVERY_LIMIT.attempts) {
      this.sendPage(reply.header('retry-after', '600'), 429, discoveryPage('Te veel pogingen. Probeer het over tien minuten opnieuw.'));
      return;
    }
    // Counted as a "failure" on purpose: every lookup spends the address's discovery budget.
    await this.throttleStore.record(key, 'failure', now);
    const identifier = (body.identifier ?? '').trim().toLowerCase();
    if (identifier.length === 0 || identifier.length > 254) {
      this.sendPage(reply, 400, discoveryPage('Vul de naam van uw organisatie of uw e-mailadres in.'));
      return;
    }
    const tenant = identifier.includes('@')
      ? await this.tenants.findByEmailDomain(identifier.slice(identifier.lastIndexOf('@') + 1))
      : await this.tenants.findBySlug(identifier);
    const active = tenant?.status === 'active' ? tenant : undefined;
    reply.code(303).header('location', `/login/t/${sealDiscoveryTicket(this.secretBox, active?.id)}`).send();
  }

  @Get('t/:ticket')
  async continueSignIn(@Param('ticket') ticket: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const tenant = await this.tenantOfTicket(ticket);
    if (tenant === 'expired') {
      reply.code(303).header('location', '/login').send();
      return;
    }
    if (tenant && (await this.refusedAddress(tenant, request, reply))) return;
    if (tenant?.authMode === 'federated') {
      const enabled = (await this.connections.listForTenant(tenant.id)).filter((connection) => connection.enabled);
      const choices = enabled.map((connection) => ({ name: connection.name, startUrl: `/sso/${connection.protocol}/${connection.id}/start` }));
      if (choices.length === 1) {
        this.sendPage(reply, 200, continueToIdpPage(choices[0]!));
        return;
      }
      this.sendPage(reply, choices.length === 0 ? 503 : 200, chooseConnectionPage(choices));
      return;
    }
    // Local tenants and unknown organisations look the same: the password form.
    this.sendPage(reply, 200, passwordPage(ticket));
  }

  @Post('t/:ticket/password')
  async password(@Param('ticket') ticket: string, @Req() request: FastifyRequest, @Body() body: FormBody, @Res() reply: FastifyReply) {
    const tenant = await this.tenantOfTicket(ticket);
    if (tenant === 'expired') {
      reply.code(303).header('location', '/login').send();
      return;
    }
    if (tenant && (await this.refusedAddress(tenant, request, reply))) return;
    const context = clientOf(request);
    if (tenant?.authMode === 'federated') {
      await this.events.emit({ action: 'auth.rejected', outcome: 'denied', tenantId: tenant.id, protocol: 'local', reason: 'federated-tenant', ...context });
      reply.code(404).send();
      return;
    }
    const result = await this.localSignIn.verifyPassword({
      tenantId: tenant?.id ?? '00000000-0000-4000-8000-000000000000',
      email: body.email ?? '',
      password: body.password ?? '',
      ip: request.ip,
    });
    if (result.ok || result.reason === 'totp-not-enrolled') {
      this.setPending(reply, { tenantId: tenant!.id, userId: result.userId!, stage: result.ok ? 'second-factor' : 'enrol', expiresAt: expiry() });
      reply.code(303).header('location', result.ok ? '/login/second-factor' : '/login/enrol').send();
      return;
    }
    await this.events.emit({ action: 'auth.failed', outcome: 'failure', tenantId: tenant?.id, userId: result.userId, protocol: 'local', reason: result.reason, ...context });
    if (result.retryAfterSeconds) reply.header('retry-after', String(result.retryAfterSeconds));
    this.sendPage(reply, result.reason === 'locked' || result.reason === 'rate-limited' ? 429 : 401, passwordPage(ticket, GENERIC_FAILURE));
  }

  @Get('second-factor')
  secondFactorForm(@Req() request: FastifyRequest, @Res() reply: FastifyReply): void {
    if (!this.pending(request, 'second-factor')) {
      reply.code(303).header('location', '/login').send();
      return;
    }
    this.sendPage(reply, 200, secondFactorPage());
  }

  @Post('second-factor')
  async secondFactor(@Req() request: FastifyRequest, @Body() body: FormBody, @Res() reply: FastifyReply): Promise<void> {
    const pending = this.pending(request, 'second-factor');
    if (!pending) {
      reply.code(303).header('location', '/login').send();
      return;
    }
    const code = (body.code ?? '').trim();
    const result = await this.localSignIn.verifySecondFactor({
      tenantId: pending.tenantId,
      userId: pending.userId,
      factor: /^\d[\d\s]*$/.test(code) ? { kind: 'totp', code } : { kind: 'recovery-code', code },
      ip: request.ip,
    });
    const context = clientOf(request);
    if (!result.ok) {
      await this.events.emit({ action: 'mfa.failed', outcome: 'failure', tenantId: pending.tenantId, userId: pending.userId, protocol: 'local', reason: result.reason, ...context });
      this.sendPage(reply, 401, secondFactorPage(GENERIC_FAILURE));
      return;
    }
    await this.startSession(reply, request, pending, result.authMethod);
    reply.code(303).header('location', '/').send();
  }

  @Get('enrol')
  async enrolForm(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const pending = this.pending(request, 'enrol');
    if (!pending) {
      reply.code(303).header('location', '/login').send();
      return;
    }
    let enrolment = pending.enrolment;
    if (!enrolment) {
      const account = await this.accounts.findById(pending.tenantId, pending.userId);
      const tenant = await this.tenants.findById(pending.tenantId);
      const created = await this.totp.createEnrolment({ userId: pending.userId, accountLabel: account?.email ?? 'account', tenantName: tenant?.name ?? 'Veilig' });
      await this.accounts.storePendingTotpSecret(pending.tenantId, pending.userId, created.sealedSecret);
      enrolment = { otpauthUri: created.otpauthUri, manualKey: created.secret };
      this.setPending(reply, { ...pending, enrolment });
    }
    this.sendPage(reply, 200, enrolPage(enrolment.manualKey));
  }

  /** The QR code as its own same-origin image: the page CSP allows no data: or inline images. */
  @Get('enrol/qr.svg')
  async enrolQr(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const enrolment = this.pending(request, 'enrol')?.enrolment;
    if (!enrolment) {
      reply.code(404).send();
      return;
    }
    reply.code(200).type('image/svg+xml').send(await QRCode.toString(enrolment.otpauthUri, { type: 'svg', margin: 1 }));
  }

  @Post('enrol')
  @HttpCode(200)
  async enrol(@Req() request: FastifyRequest, @Body() body: FormBody, @Res() reply: FastifyReply): Promise<void> {
    const pending = this.pending(request, 'enrol');
    const sealedSecret = pending && (await this.accounts.findPendingTotpSecret(pending.tenantId, pending.userId));
    const account = pending && (await this.accounts.findById(pending.tenantId, pending.userId));
    if (!pending?.enrolment || !sealedSecret || !account) {
      reply.code(303).header('location', '/login').send();
      return;
    }
    const tenant = await this.tenants.findById(pending.tenantId);
    const newPassword = body.newPassword ?? '';
    const refusals = checkPassword(newPassword, { email: account.email, tenantSlug: tenant?.slug, tenantName: tenant?.name });
    if (refusals.length > 0) {
      this.sendPage(reply, 400, enrolPage(pending.enrolment.manualKey, undefined, refusals.map((refusal) => describePasswordRefusal(refusal, 'nl'))));
      return;
    }
    const verification = await this.totp.verify({ userId: pending.userId, sealedSecret, code: body.code ?? '', lastUsedStep: undefined });
    const context = clientOf(request);
    if (!verification.ok) {
      await this.events.emit({ action: 'mfa.failed', outcome: 'failure', tenantId: pending.tenantId, userId: pending.userId, protocol: 'local', reason: `enrolment-${verification.reason}`, ...context });
      this.sendPage(reply, 401, enrolPage(pending.enrolment.manualKey, 'Die code klopt niet. Probeer de volgende code uit de app.'));
      return;
    }
    const recovery = generateRecoveryCodes();
    await this.accounts.replacePasswordHash(pending.tenantId, pending.userId, await this.hasher.hash(newPassword));
    await this.accounts.confirmTotp(pending.tenantId, pending.userId, verification.step, recovery.hashes);
    await this.events.emit({ action: 'mfa.enrolled', outcome: 'success', tenantId: pending.tenantId, userId: pending.userId, protocol: 'local', ...context });
    await this.startSession(reply, request, pending, 'password+totp');
    this.sendPage(reply, 200, recoveryCodesPage(recovery.codes));
  }

  private async startSession(reply: FastifyReply, request: FastifyRequest, pending: PendingLocalLogin, authMethod: 'password+totp' | 'password+recovery-code') {
    const context = clientOf(request);
    const { token } = await this.sessions.create({
      userId: pending.userId,
      tenantId: pending.tenantId,
      authMethod,
      idpSessionId: undefined,
      clientIp: context.clientIp,
      userAgent: context.userAgent,
    });
    this.cookies.clear(reply, LOGIN_COOKIE);
    this.cookies.set(reply, SESSION_COOKIE, token, { sameSite: 'Lax' });
    await this.events.emit({ action: 'auth.logon', outcome: 'success', tenantId: pending.tenantId, userId: pending.userId, protocol: 'local', reason: authMethod, ...context });
  }

  /** Outside the tenant's IP allow-list (SV-4): refused, and audited with the reason. */
  private async refusedAddress(tenant: Tenant, request: FastifyRequest, reply: FastifyReply): Promise<boolean> {
    if (tenantAllowsAddress(tenant, request.ip)) return false;
    await this.events.emit({ action: 'auth.rejected', outcome: 'denied', tenantId: tenant.id, reason: 'ip-not-allowed', ...clientOf(request) });
    this.sendPage(reply, 403, discoveryPage(GENERIC_FAILURE));
    return true;
  }

  private async tenantOfTicket(ticket: string): Promise<Tenant | undefined | 'expired'> {
    const tenantId = openDiscoveryTicket(this.secretBox, ticket);
    if (!tenantId) return 'expired';
    const tenant = await this.tenants.findById(tenantId);
    return tenant?.status === 'active' ? tenant : undefined;
  }

  private pending(request: FastifyRequest, stage: PendingLocalLogin['stage']): PendingLocalLogin | undefined {
    const pending = openPendingLogin(this.secretBox, readCookie(request.headers.cookie, LOGIN_COOKIE));
    return pending?.stage === stage ? pending : undefined;
  }

  private setPending(reply: FastifyReply, pending: PendingLocalLogin): void {
    this.cookies.set(reply, LOGIN_COOKIE, sealPendingLogin(this.secretBox, pending), { sameSite: 'Strict', maxAgeSeconds: LOGIN_STEP_SECONDS });
  }

  private sendPage(reply: FastifyReply, status: number, html: string): void {
    reply.code(status).type('text/html; charset=utf-8').send(html);
  }
}

function expiry(): number {
  return Date.now() + LOGIN_STEP_SECONDS * 1000;
}

export function clientOf(request: FastifyRequest): { clientIp: string; userAgent: string | undefined; requestId: string } {
  return { clientIp: request.ip, userAgent: request.headers['user-agent']?.slice(0, 512), requestId: request.id };
}
