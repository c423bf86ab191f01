import { STATUS_CODES } from 'node:http';

/** RFC 9457 problem details, with the request id so a user's report can be matched to the log line. */
export interface ProblemDetails {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly instance?: string;
  readonly requestId: string;
  readonly errors?: readonly string[];
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/** Problem types of Veilig's own rules: `urn:veilig:problem:<rule>`, stable for clients to act on. */
export const PROBLEM_TYPE_PREFIX = 'urn:veilig:problem:';

export function problem(
  status: number,
  requestId: string,
  detail?: string,
  extra: Partial<Pick<ProblemDetails, 'type' | 'instance' | 'errors'>> = {},
): ProblemDetails {
  return {
    type: extra.type ?? 'about:blank',
    title: STATUS_CODES[status] ?? 'Error',
    status,
    ...(detail === undefined ? {} : { detail }),
    ...(extra.instance === undefined ? {} : { instance: extra.instance }),
    ...(extra.errors === undefined ? {} : { errors: extra.errors }),
    requestId,
  };
}
