import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { problem, PROBLEM_CONTENT_TYPE, PROBLEM_TYPE_PREFIX, type ProblemDetails } from './problem.js';

/** Fastify's own errors (body parsing, limits) carry a status and a code; these are their safe words. */
const FRAMEWORK_ERROR_DETAILS: Record<string, string> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'This content type is not accepted here.',
  FST_ERR_CTP_BODY_TOO_LARGE: 'The request body is larger than this service accepts.',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'The request declares JSON but has an empty body.',
  FST_ERR_CTP_INVALID_JSON_BODY: 'The request body is not valid JSON.',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'Content-Length does not match the body.',
  FST_ERR_BAD_URL: 'The request URL is malformed.',
  FST_ERR_ASYNC_CONSTRAINT: 'The request could not be routed.',
};

/**
 * Every error leaves as RFC 9457 problem+json. Unexpected errors are logged in full under the
 * request id and answered with a generic 500: no stack trace or internal message leaves.
 */
@Catch()
export class ProblemExceptionFilter implements ExceptionFilter {
  /**
   * @param reportUnexpected records an unexpected error where the customer can see it (the audit
   *   trail: SE-3.2 names exceptions); awaited before the answer leaves, and a failure to record
   *   is logged, never answered in place of the 500.
   */
  constructor(private readonly reportUnexpected?: (request: FastifyRequest, exception: unknown) => Promise<void>) {}

  async catch(exception: unknown, host: ArgumentsHost): Promise<void> {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const body = this.toProblem(exception, request);
    if (body.status >= 500) {
      request.log.error({ err: exception }, 'unhandled error');
      await this.reportUnexpected?.(request, exception).catch((error: unknown) => request.log.error({ err: error }, 'could not record the error in the audit trail'));
    } else {
      request.log.debug({ err: exception }, 'request rejected');
    }
    reply.code(body.status).type(PROBLEM_CONTENT_TYPE).send(body);
  }

  private toProblem(exception: unknown, request: FastifyRequest): ProblemDetails {
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      if (status >= 500) return problem(status, request.id, 'The service could not handle this request.');
      if (typeof response === 'string') return problem(status, request.id, response);
      const { message, type } = response as { message?: unknown; type?: unknown };
      // A feature's own problem type (urn:veilig:problem:…) tells a client which rule refused it.
      const typed = typeof type === 'string' && type.startsWith(PROBLEM_TYPE_PREFIX) ? { type } : {};
      if (Array.isArray(message)) return problem(status, request.id, 'The request is not valid.', { ...typed, errors: message.map(String) });
      if (status === 404 && !typed.type) return problem(404, request.id, 'There is nothing at this path.');
      return problem(status, request.id, typeof message === 'string' ? message : undefined, typed);
    }
    const { statusCode, code } = (exception ?? {}) as { statusCode?: unknown; code?: unknown };
    if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
      const detail = (typeof code === 'string' && FRAMEWORK_ERROR_DETAILS[code]) || 'The request is not valid.';
      return problem(statusCode, request.id, detail);
    }
    return problem(500, request.id, 'The service could not handle this request. Quote the requestId when reporting it.');
  }
}
