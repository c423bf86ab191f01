import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Put, Query, Req, Res } from '@nestjs/common';
import { RequirePermissions, SignedIn, validatedInput } from '@veilig/platform-http';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import type { Access } from './access.js';
import { AccessAdministration, type AccessAdministrator } from './access-administration.js';
import { accessReviewCsv } from './access-review-csv.js';
import { auditContextOf } from './audit-context.js';
import { CurrentAccess } from './current-access.decorator.js';
import { PermissionCatalogue } from './permission-catalogue.js';
import type { RequestWithAccess } from './permission.guard.js';

const CUSTOM_ROLE = z.object({
  name: z.string().max(63),
  description: z.string().max(500).default(''),
  permissions: z.array(z.string().max(100)).min(1).max(200),
});
const ROLE_CHANGE = CUSTOM_ROLE.omit({ name: true });
const MAPPINGS = z.object({
  mappings: z
    .array(z.object({ claim: z.enum(['roles', 'groups']), value: z.string().min(1).max(256), role: z.string().max(63) }).strict())
    .max(500),
});
const REVIEW_QUERY = z.object({ format: z.enum(['json', 'csv']).default('json') });

/** Roles, grants, IdP claim mappings and the access review of the signed-in user's tenant; the tenant is always the session's. */
@Controller('api/access')
export class AccessController {
  constructor(
    private readonly administration: AccessAdministration,
    private readonly catalogue: PermissionCatalogue,
  ) {}

  /** What the signed-in user may do, so a UI shows only what will work. */
  @Get('me')
  @SignedIn()
  me(@CurrentAccess() access: Access) {
    return { userId: access.userId, roles: access.roles, permissions: [...access.permissions].sort() };
  }

  @Get('permissions')
  @RequirePermissions('roles:read')
  permissions() {
    return { items: this.catalogue.list().map(({ name, description, grantedTo }) => ({ name, description, grantedTo })) };
  }

  @Get('roles')
  @RequirePermissions('roles:read')
  async roles(@CurrentAccess() access: Access) {
    return { items: await this.administration.roles(access.tenantId) };
  }

  @Post('roles')
  @HttpCode(201)
  @RequirePermissions('roles:manage')
  async createRole(@CurrentAccess() access: Access, @Req() request: RequestWithAccess, @Body() body: unknown) {
    const role = validatedInput(CUSTOM_ROLE, body);
    await this.administration.createRole(administrator(access, request), access.tenantId, role);
    return { name: role.name };
  }

  @Put('roles/:name')
  @HttpCode(204)
  @RequirePermissions('roles:manage')
  async updateRole(@CurrentAccess() access: Access, @Req() request: RequestWithAccess, @Param('name') name: string, @Body() body: unknown) {
    const change = validatedInput(ROLE_CHANGE, body);
    await this.administration.updateRole(administrator(access, request), access.tenantId, { name, ...change });
  }

  @Delete('roles/:name')
  @HttpCode(204)
  @RequirePermissions('roles:manage')
  async deleteRole(@CurrentAccess() access: Access, @Req() request: RequestWithAccess, @Param('name') name: string) {
    await this.administration.deleteRole(administrator(access, request), access.tenantId, name);
  }

  @Put('users/:userId/roles/:role')
  @HttpCode(204)
  @RequirePermissions('roles:manage')
  async grant(@CurrentAccess() access: Access, @Req() request: RequestWithAccess, @Param('userId', new ParseUUIDPipe()) userId: string, @Param('role') role: string) {
    await this.administration.grant(administrator(access, request), access.tenantId, userId, role);
  }

  @Delete('users/:userId/roles/:role')
  @HttpCode(204)
  @RequirePermissions('roles:manage')
  async revoke(@CurrentAccess() access: Access, @Req() request: RequestWithAccess, @Param('userId', new ParseUUIDPipe()) userId: string, @Param('role') role: string) {
    await this.administration.revoke(administrator(access, request), access.tenantId, userId, role);
  }

  @Get('connections/:connectionId/mappings')
  @RequirePermissions('roles:read')
  async mappings(@CurrentAccess() access: Access, @Param('connectionId', new ParseUUIDPipe()) connectionId: string) {
    const mappings = await this.administration.mappings(access.tenantId, connectionId);
    return { items: mappings.map(({ claim, value, roleName }) => ({ claim, value, role: roleName })) };
  }

  @Put('connections/:connectionId/mappings')
  @HttpCode(204)
  @RequirePermissions('roles:manage')
  async setMappings(
    @CurrentAccess() access: Access,
    @Req() request: RequestWithAccess,
    @Param('connectionId', new ParseUUIDPipe()) connectionId: string,
    @Body() body: unknown,
  ) {
    const { mappings } = validatedInput(MAPPINGS, body);
    await this.administration.setMappings(
      administrator(access, request),
      access.tenantId,
      connectionId,
      mappings.map(({ claim, value, role }) => ({ claim, value, roleName: role })),
    );
  }

  /** SV-7.3: JSON, or CSV for a spreadsheet (`?format=csv`). */
  @Get('review')
  @RequirePermissions('access-review:read')
  async review(@CurrentAccess() access: Access, @Query() query: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    const { format } = validatedInput(REVIEW_QUERY, query);
    const people = await this.administration.accessReview(access.tenantId);
    if (format === 'json') return { generatedAt: new Date().toISOString(), items: people };
    reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="access-review.csv"');
    return accessReviewCsv(people);
  }
}

function administrator(access: Access, request: RequestWithAccess): AccessAdministrator {
  return { kind: 'user', access, audit: auditContextOf(request) };
}
