import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Put, Query, Req } from '@nestjs/common';
import { Access, auditContextOf, CurrentAccess, type RequestWithAccess } from '@veilig/access';
import { RequireAnyPermission, RequirePermissions, validatedInput } from '@veilig/platform-http';
import { CASE_ASSIGNMENT, CASE_CHANGE, CASE_CLOSING, CASE_LIST_QUERY, NEW_CASE } from './case.js';
import { CaseService, type CaseCaller } from './case.service.js';

const ANY_CASE_READ = ['cases:read', 'cases:read-summary', 'cases:read-all'] as const;

/** Thin on purpose: declare the permission, validate the input, hand the caller to the service. */
@Controller('api/cases')
export class CasesController {
  constructor(private readonly cases: CaseService) {}

  @Get()
  @RequireAnyPermission(...ANY_CASE_READ)
  list(@CurrentAccess() access: Access, @Req() request: RequestWithAccess, @Query() query: unknown) {
    return this.cases.list(caller(access, request), validatedInput(CASE_LIST_QUERY, query));
  }

  @Get('statistics')
  @RequireAnyPermission(...ANY_CASE_READ)
  statistics(@CurrentAccess() access: Access, @Req() request: RequestWithAccess) {
    return this.cases.statistics(caller(access, request));
  }

  @Get(':id')
  @RequireAnyPermission(...ANY_CASE_READ)
  read(@CurrentAccess() access: Access, @Req() request: RequestWithAccess, @Param('id', new ParseUUIDPipe()) id: string) {
    return this.cases.read(caller(access, request), id);
  }

  @Post()
  @HttpCode(201)
  @RequirePermissions('cases:create')
  create(@CurrentAccess() access: Access, @Req() request: RequestWithAccess, @Body() body: unknown) {
    return this.cases.create(caller(access, request), validatedInput(NEW_CASE, body));
  }

  @Patch(':id')
  @RequirePermissions('cases:update')
  update(@CurrentAccess() access: Access, @Req() request: RequestWithAccess, @Param('id', new ParseUUIDPipe()) id: string, @Body() body: unknown) {
    return this.cases.update(caller(access, request), id, validatedInput(CASE_CHANGE, body));
  }

  @Post(':id/close')
  @HttpCode(200)
  @RequirePermissions('cases:close')
  close(@CurrentAccess() access: Access, @Req() request: RequestWithAccess, @Param('id', new ParseUUIDPipe()) id: string, @Body() body: unknown) {
    return this.cases.close(caller(access, request), id, validatedInput(CASE_CLOSING, body).resolution);
  }

  @Put(':id/assignment')
  @RequirePermissions('cases:assign')
  assign(@CurrentAccess() access: Access, @Req() request: RequestWithAccess, @Param('id', new ParseUUIDPipe()) id: string, @Body() body: unknown) {
    return this.cases.assign(caller(access, request), id, validatedInput(CASE_ASSIGNMENT, body));
  }
}

function caller(access: Access, request: RequestWithAccess): CaseCaller {
  return { access, audit: auditContextOf(request) };
}
