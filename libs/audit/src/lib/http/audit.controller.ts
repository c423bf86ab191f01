import { Readable } from 'node:stream';
import { BadRequestException, Controller, Get, Query, Req, Res } from '@nestjs/common';
import { RequirePermissions, validatedInput } from '@veilig/platform-http';
import { TenantContext } from '@veilig/tenancy';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AuditActor } from '../model/audit-event.js';
import { AuditQuery } from '../query/audit-query.js';
import { AuditQueryError } from '../query/audit-query.error.js';
import { AuditWriter } from '../writer/audit-writer.js';
import { AuditChainCheck } from './audit-chain-check.js';

const FILTER_FIELDS = ['from', 'to', 'actor', 'action', 'targetType', 'targetId', 'outcome'] as const;
const SEARCH = z
  .object({
    ...Object.fromEntries(FILTER_FIELDS.map((field) => [field, z.string().max(500).optional()])),
    cursor: z.string().max(100).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
  })
  .strict();
const EXPORT = z
  .object({ ...Object.fromEntries(FILTER_FIELDS.map((field) => [field, z.string().max(500).optional()])), format: z.enum(['csv', 'jsonl']).default('csv') })
  .strict();

/** The part of the request the authentication guard fills in: who is asking, for the record of an export. */
interface RequestWithSession extends FastifyRequest {
  session?: { readonly id: string; readonly userId: string; readonly user?: { readonly displayName: string | null; readonly email: string | null } };
}

/**
 * The tenant's audit log for its auditor (SE-3.2): search with filters and cursor paging, export,
 * and a check of the hash chain. The tenant is the session's (TenantContext); row-level security
 * holds the query to it. An export is itself recorded before it is sent.
 */
@Controller('api/audit')
export class AuditController {
  constructor(
    private readonly query: AuditQuery,
    private readonly writer: AuditWriter,
    private readonly chain: AuditChainCheck,
  ) {}

  @Get('events')
  @RequirePermissions('audit:read')
  async search(@Query() parameters: unknown) {
    const { cursor, limit, ...filter } = validatedInput(SEARCH, parameters);
    return this.refusingBadFilters(() => this.query.search(definedOnly(filter), cursor, limit));
  }

  @Get('export')
  @RequirePermissions('audit:export')
  async export(@Query() parameters: unknown, @Req() request: RequestWithSession, @Res({ passthrough: true }) reply: FastifyReply) {
    const { format, ...filter } = validatedInput(EXPORT, parameters);
    const chunks = await this.refusingBadFilters(async () => (format === 'csv' ? this.query.exportCsv(definedOnly(filter)) : this.query.exportJsonLines(definedOnly(filter))));
    const { tenantId } = TenantContext.current();
    await this.writer.record({
      tenantId,
      action: 'data.exported',
      outcome: 'success',
      actor: actorOf(request),
      ...(request.session && { sessionId: request.session.id }),
      device: { ip: request.ip, ...(request.headers['user-agent'] && { userAgent: request.headers['user-agent'] }) },
      requestId: String(request.id),
      target: { type: 'audit-log' },
      details: { format, filter: Object.entries(definedOnly(filter)).map(([key, value]) => `${key}=${value}`) },
    });
    const extension = format === 'csv' ? 'csv' : 'jsonl';
    reply
      .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/jsonl; charset=utf-8')
      .header('content-disposition', `attachment; filename="audit-log.${extension}"`);
    return Readable.from(chunks);
  }

  /** Whether the tenant's chain is intact up to its head: what `npm run cli -- audit:verify` checks, for the customer. */
  @Get('verification')
  @RequirePermissions('audit:read')
  async verification() {
    return this.chain.verify(TenantContext.current().tenantId);
  }

  private async refusingBadFilters<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof AuditQueryError) throw new BadRequestException(error.message);
      throw error;
    }
  }
}

function definedOnly(filter: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(filter).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

function actorOf(request: RequestWithSession): AuditActor {
  const session = request.session;
  if (!session) return { type: 'user' };
  return {
    type: 'user',
    userId: session.userId,
    ...(session.user?.displayName && { displayName: session.user.displayName }),
    ...(session.user?.email && { email: session.user.email }),
  };
}
