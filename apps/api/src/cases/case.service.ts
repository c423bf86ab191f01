import { Injectable, NotFoundException, UnprocessableEntityException } from '@nestjs/common';
import type { Access, RequestAuditContext } from '@veilig/access';
import { AuditWriter } from '@veilig/audit';
import { UserDirectory } from '@veilig/identity';
import { TenantScope } from '@veilig/tenancy';
import { PERSONAL_FIELDS, type CaseAssignment, type CaseChange, type CaseDetail, type CaseListQuery, type CaseSummary, type NewCase } from './case.js';
import { CaseRepository, type CaseVisibility } from './case.repository.js';

/** The signed-in user a service call is for: what they may do, and who they are for the audit trail. */
export interface CaseCaller {
  readonly access: Access;
  readonly audit: RequestAuditContext;
}

/**
 * The rules of case work. The route guard has checked that the caller holds a case permission at
 * all; here each permission decides which rows and which fields: `cases:read-all` and
 * `cases:read-summary` see every case, `cases:read` only the caller's and their team's, and only
 * `cases:read` / `cases:read-all` see personal data — every such view is recorded (SV-7.9)
 * before the answer leaves, in the same transaction as the read. A case the caller may not see
 * answers 404, exactly like one that does not exist, and the attempt is recorded as access.denied.
 * Changes answer with the summary: the caller sent the personal data, and showing the rest of it
 * would be a view the change did not need.
 */
@Injectable()
export class CaseService {
  constructor(
    private readonly scope: TenantScope,
    private readonly cases: CaseRepository,
    private readonly audit: AuditWriter,
    private readonly users: UserDirectory,
  ) {}

  async list(caller: CaseCaller, query: CaseListQuery): Promise<{ items: CaseSummary[]; hasMore: boolean }> {
    return this.cases.list(this.readVisibility(caller.access), query);
  }

  async statistics(caller: CaseCaller): Promise<Record<string, number>> {
    return this.cases.countByStatus(this.readVisibility(caller.access));
  }

  /** The case with personal data for those who may see it, a summary for the others. */
  async read(caller: CaseCaller, id: string): Promise<CaseDetail | CaseSummary> {
    const personal = this.personalVisibility(caller.access);
    const found = await this.scope.run(async () => {
      const detail = personal && (await this.cases.find(personal, id));
      if (detail) {
        await this.record(caller, 'data.viewed', detail.id, { fields: [...PERSONAL_FIELDS] });
        return detail;
      }
      return caller.access.has('cases:read-summary') ? this.cases.findSummary(this.readVisibility(caller.access), id) : undefined;
    });
    return found ?? this.refuse(caller, id);
  }

  async create(caller: CaseCaller, input: NewCase): Promise<CaseSummary> {
    caller.access.require('cases:create');
    return this.scope.run(async () => {
      const created = await this.cases.create(input, { userId: caller.access.userId, team: caller.access.department });
      await this.record(caller, 'data.created', created.id, { fields: namedFields(input) });
      return summaryOf(created);
    });
  }

  async update(caller: CaseCaller, id: string, change: CaseChange): Promise<CaseSummary> {
    caller.access.require('cases:update');
    const visibility = this.personalVisibility(caller.access);
    const updated = await this.scope.run(async () => {
      const changed = visibility && (await this.cases.update(visibility, id, change));
      if (changed) await this.record(caller, 'data.updated', id, { fields: namedFields(change) });
      return changed && summaryOf(changed);
    });
    return updated ?? this.refuse(caller, id);
  }

  async close(caller: CaseCaller, id: string, resolution: string): Promise<CaseSummary> {
    caller.access.require('cases:close');
    const visibility = this.personalVisibility(caller.access);
    const closed = await this.scope.run(async () => {
      const done = visibility && (await this.cases.close(visibility, id, resolution));
      if (done) await this.record(caller, 'data.updated', id, { fields: ['resolution', 'status'] });
      return done;
    });
    return closed ?? this.refuse(caller, id);
  }

  async assign(caller: CaseCaller, id: string, assignment: CaseAssignment): Promise<CaseSummary> {
    caller.access.require('cases:assign');
    if (assignment.assigneeId && !(await this.users.findById(caller.access.tenantId, assignment.assigneeId))) {
      throw new UnprocessableEntityException('There is no such user in this tenant.');
    }
    const assigned = await this.scope.run(async () => {
      const done = await this.cases.assign(id, assignment);
      if (done) await this.record(caller, 'data.updated', id, { fields: namedFields(assignment) });
      return done;
    });
    return assigned ?? this.refuse(caller, id);
  }

  /** Which cases the caller may list and open at all, personal data or not. */
  private readVisibility(access: Access): CaseVisibility {
    const all = access.has('cases:read-all') || access.has('cases:read-summary');
    return { all, userId: access.userId, team: access.department };
  }

  /** Which cases the caller may see with personal data and change; none without cases:read(-all). */
  private personalVisibility(access: Access): CaseVisibility | undefined {
    if (access.has('cases:read-all')) return { all: true, userId: access.userId, team: access.department };
    if (access.has('cases:read')) return { all: false, userId: access.userId, team: access.department };
    return undefined;
  }

  private record(caller: CaseCaller, action: string, caseId: string, details: { fields: string[] }) {
    return this.audit.record({ ...caller.audit, action, outcome: 'success', target: { type: 'case', id: caseId }, details });
  }

  /**
   * 404 for a case the caller may not reach, as for one that does not exist (or is closed). An
   * attempt at a case that exists is a refused attempt at a file (SV-7.9) and is recorded; called
   * after the work's transaction ended, so the record stays although the request fails.
   */
  private async refuse(caller: CaseCaller, id: string): Promise<never> {
    if (await this.cases.exists(id)) {
      await this.audit.record({ ...caller.audit, action: 'access.denied', outcome: 'denied', target: { type: 'case', id }, reason: 'case outside the caller\'s visibility or closed' });
    }
    throw new NotFoundException();
  }
}

function namedFields(input: object): string[] {
  return Object.entries(input)
    .filter(([, value]) => value !== undefined)
    .map(([field]) => field)
    .sort();
}

function summaryOf(detail: CaseDetail): CaseSummary {
  const { id, title, category, status, team, assigneeId, createdAt, updatedAt, closedAt } = detail;
  return { id, title, category, status, team, assigneeId, createdAt, updatedAt, closedAt };
}
