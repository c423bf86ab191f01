import { createParamDecorator, type ExecutionContext, InternalServerErrorException } from '@nestjs/common';
import type { RequestWithAccess } from './permission.guard.js';

/**
 * The Access of the request's user, for handlers that pass it to their service. Fails closed: on
 * a route that is not behind the permission guard there is no Access, and that is a bug.
 */
export const CurrentAccess = createParamDecorator((_data: unknown, context: ExecutionContext) => {
  const access = context.switchToHttp().getRequest<RequestWithAccess>().access;
  if (!access) throw new InternalServerErrorException();
  return access;
});
