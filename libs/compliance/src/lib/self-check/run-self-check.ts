import { judgeRedirect } from './check-redirect.js';
import { fail, meetsGradeA, warn, type Finding } from './findings.js';
import { gradeHeaders, hstsMaxAgeSeconds, type HeaderGrade } from './grade-headers.js';
import { gradeTls, type TlsGrade } from './grade-tls.js';
import { fetchOverHttp, fetchOverHttps, type HttpEndpoint } from './http-probes.js';
import { probeTls, TlsUnreachableError, type TlsProbeResult } from './probe-tls.js';

export interface SelfCheckOptions {
  /** `https://host[:port][/path]`: the page whose headers are graded, on the TLS endpoint that is probed. */
  readonly url: string;
  /** PEM trust anchors; Node's bundled Mozilla root store when omitted. */
  readonly ca?: string;
  /** Development only: an untrusted or misnamed certificate still gets its letter grade. */
  readonly acceptUntrusted?: boolean;
  /** Plain-HTTP port for the redirect check; 80 by default when the origin is on 443, otherwise not checked. */
  readonly httpPort?: number;
  readonly onProgress?: (message: string) => void;
}

export interface HeadersSection extends HeaderGrade {
  /** Status of the graded response; undefined when none came. */
  readonly status: number | undefined;
}

export interface SelfCheckReport {
  readonly target: string;
  readonly checkedAt: string;
  readonly headers: HeadersSection;
  readonly redirect: Finding;
  readonly tls: TlsGrade;
  /** The raw probe results, for --json consumers who want more than the grade. */
  readonly probe: TlsProbeResult;
  /** Both grades are A or A+ (SV-3, TH-18, TH-19). */
  readonly passed: boolean;
}

/** The check cannot run: a malformed URL or an unreachable target. The message is fit for an operator. */
export class SelfCheckError extends Error {}

interface Target {
  readonly url: URL;
  /** Host name or IP address, without brackets. */
  readonly host: string;
  readonly port: number;
}

export function parseTarget(url: string): Target {
  if (!URL.canParse(url)) throw new SelfCheckError(`not a URL: ${url} (expected https://host[:port])`);
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:') throw new SelfCheckError(`not an https URL: ${url} (TH-1: the service must be reached over HTTPS)`);
  if (parsed.username || parsed.password) throw new SelfCheckError('the URL must not contain credentials');
  return { url: parsed, host: parsed.hostname.replace(/^\[|\]$/g, ''), port: Number(parsed.port || 443) };
}

export async function runSelfCheck(options: SelfCheckOptions): Promise<SelfCheckReport> {
  const target = parseTarget(options.url);
  const progress = options.onProgress ?? (() => undefined);
  const origin = target.url.origin;
  let probe: TlsProbeResult;
  try {
    probe = await probeTls({ host: target.host, port: target.port, ca: options.ca }, progress);
  } catch (error) {
    if (error instanceof TlsUnreachableError) throw new SelfCheckError(`cannot reach ${origin}: ${error.message}`);
    throw error;
  }

  const path = `${target.url.pathname}${target.url.search}`;
  progress(`fetching ${origin}${path} for its headers`);
  const fetched = await fetchOverHttps({ host: target.host, port: target.port, hostHeader: target.url.host, path });
  const headers: HeadersSection = fetched.ok
    ? { ...gradeHeaders(fetched.response.headers), status: fetched.response.status }
    : {
        grade: 'F',
        missing: [],
        findings: [fail(['TH-19'], `no HTTP response over HTTPS (${fetched.reason}), so no header could be graded`)],
        status: undefined,
      };

  const redirect = await checkRedirect(target, path, options.httpPort, progress);
  const tls = gradeTls({
    probe,
    hstsMaxAgeSeconds: fetched.ok ? hstsMaxAgeSeconds(fetched.response.headers['strict-transport-security']) : undefined,
    acceptUntrusted: options.acceptUntrusted ?? false,
    now: new Date(),
  });
  return {
    target: `${origin}${path}`,
    checkedAt: new Date().toISOString(),
    headers,
    redirect,
    tls,
    probe,
    passed: meetsGradeA(headers.grade) && meetsGradeA(tls.grade),
  };
}

async function checkRedirect(target: Target, path: string, httpPort: number | undefined, progress: (message: string) => void): Promise<Finding> {
  const port = httpPort ?? (target.port === 443 ? 80 : undefined);
  if (port === undefined) {
    return warn(['TH-1', 'TH-2'], `plain-HTTP redirect not checked: the origin is on port ${target.port}, so pass --http-port to name the plain-HTTP port`);
  }
  const hostname = target.url.hostname;
  const hostHeader = port === 80 ? hostname : `${hostname}:${port}`;
  const httpUrl = `http://${hostHeader}${path}`;
  progress(`checking that ${httpUrl} redirects to HTTPS`);
  const endpoint: HttpEndpoint = { host: target.host, port, hostHeader, path };
  return judgeRedirect(await fetchOverHttp(endpoint), { httpUrl, hostname: target.host.toLowerCase(), httpsPort: target.port });
}
