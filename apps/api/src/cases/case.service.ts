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
 * answers 404, exactly like one that does not exist.
 */
@Injectable()
export class CaseService {
  constructor(
    private readonly scope: TenantScope,
    private readonly cases: CaseRepository,
    private readonly audit: AuditWriter,
    private readonly users: UserDirectory,
  ) {}

  async list(caller: CaseCaller, query: CaseListQuery): Promise<{ items: CaseSummary[]; total: number }> {
    return this.cases.list(this.readVisibility(caller.access), query);
  }

  async statistics(caller: CaseCaller): Promise<Record<string, number>> {
    return this.cases.countByStatus(this.readVisibility(caller.access));
  }

  /** The case with personal data for those who may see it, a summary for the others. */
  async read(caller: CaseCaller, id: string): Promise<CaseDetail | CaseSummary> {
    const personal = this.personalVisibility(caller.access);
    return this.scope.run(async () => {
      const detail = personal && (await this.cases.find(personal, id));
      if (detail) {
        await this.record(caller, 'data.viewed', detail.id, { fields: [...PERSONAL_FIELDS] });
        return detail;
      }
      const summary = caller.access.has('cases:read-summary') || caller.access.has('cases:read-all') ? await this.cases.findSummary(this.readVisibility(caller.access), id) : undefined;
      if (!summary) throw new NotFoundException();
      return summary;
    });
  }

  async create(caller: CaseCaller, input: NewCase): Promise<CaseDetail> {
    caller.access.require('cases:create');
    return this.scope.run(async () => {
      const created = await this.cases.create(input, { userId: caller.access.userId, team: caller.access.department });
      await this.record(caller, 'data.created', created.id, { fields: Object.keys(input).sort() });
      return created;
    });
  }

  async update(caller: CaseCaller, id: string, change: CaseChange): Promise<CaseDetail> {
    caller.access.require('cases:update');
    const visibility = this.personalVisibility(caller.access);
    if (!visibility) throw new NotFoundException();
    return this.scope.run(async () => {
      const updated = await this.cases.update(visibility, id, change);
      if (!updated) throw new NotFoundException();
      await this.record(caller, 'data.updated', id, { fields: Object.keys(change).sort() });
      return updated;
    });
  }

  async close(caller: CaseCaller, id: string, resolution: string): Promise<CaseSummary> {
    caller.access.require('cases:close');
    const visibility = this.personalVisibility(caller.access);
    if (!visibility) throw new NotFoundException();
    return this.scope.run(async () => {
      const closed = await this.cases.close(visibility, id, resolution);
      if (!closed) throw new NotFoundException();
      await this.record(caller, 'data.updated', id, { fields: ['status', 'resolution'] });
      return closed;
    });
  }

  async assign(caller: CaseCaller, id: string, assignment: CaseAssignment): Promise<CaseSummary> {
    caller.access.require('cases:assign');
    if (assignment.assigneeId && !(await this.users.findById(caller.access.tenantId, assignment.assigneeId))) {
      throw new UnprocessableEntityException('There is no such user in this tenant.');
    }
    return this.scope.run(async () => {
      const assigned = await this.cases.assign(id, assignment);
      if (!assigned) throw new NotFoundException();
      await this.record(caller, 'data.updated', id, { fields: Object.keys(assignment).sort() });
      return assigned;
    });
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
}
