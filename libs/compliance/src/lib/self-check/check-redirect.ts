import { fail, pass, warn, type Finding } from './findings.js';
import type { FetchOutcome } from './http-probes.js';

const REQUIREMENTS = ['TH-1', 'TH-2'];
const PERMANENT_REDIRECTS = new Set([301, 308]);
const TEMPORARY_REDIRECTS = new Set([302, 303, 307]);

export interface RedirectExpectation {
  /** The plain-HTTP URL that was requested. */
  readonly httpUrl: string;
  /** Host name of the checked HTTPS origin, lower case, without brackets. */
  readonly hostname: string;
  readonly httpsPort: number;
}

/**
 * TH-1: plain HTTP only redirects to HTTPS. TH-2: first to HTTPS on the very same host, so the
 * browser learns HSTS for that host before going anywhere else.
 */
export function judgeRedirect(outcome: FetchOutcome, expected: RedirectExpectation): Finding {
  if (!outcome.ok) {
    return warn(REQUIREMENTS, `nothing answers on ${expected.httpUrl} (${outcome.reason}): a user typing the bare name gets no redirect to HTTPS`);
  }
  const { status, headers } = outcome.response;
  const isRedirect = PERMANENT_REDIRECTS.has(status) || TEMPORARY_REDIRECTS.has(status);
  if (!isRedirect) return fail(['TH-1'], `${expected.httpUrl} answered ${status} instead of redirecting to HTTPS`);
  const location = headers['location'];
  if (!location) return fail(['TH-1'], `${expected.httpUrl} answered ${status} without a Location header`);
  if (!URL.canParse(location, expected.httpUrl)) return fail(['TH-1'], `${expected.httpUrl} redirects to an unparsable Location "${location}"`);
  const target = new URL(location, expected.httpUrl);
  if (target.protocol !== 'https:') return fail(['TH-1'], `${expected.httpUrl} redirects to ${target.href}, which is not HTTPS`);
  if (target.hostname.replace(/^\[|\]$/g, '').toLowerCase() !== expected.hostname) {
    return fail(['TH-2'], `${expected.httpUrl} redirects to another host (${target.host}) before HTTPS on ${expected.hostname}, so HSTS for it is never set`);
  }
  const targetPort = Number(target.port || 443);
  if (targetPort !== expected.httpsPort) {
    return warn(REQUIREMENTS, `${expected.httpUrl} redirects to ${target.href}: HTTPS on the same host, but port ${targetPort} instead of the checked ${expected.httpsPort}`);
  }
  if (TEMPORARY_REDIRECTS.has(status)) {
    return warn(REQUIREMENTS, `${expected.httpUrl} redirects to ${target.href} with a temporary ${status}; a permanent 301 or 308 lets browsers and caches remember it`);
  }
  return pass(REQUIREMENTS, `${expected.httpUrl} redirects (${status}) to ${target.href}: HTTPS on the same host`);
}
