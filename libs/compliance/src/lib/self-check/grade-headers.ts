import { fail, pass, warn, type Finding, type LetterGrade } from './findings.js';

/*
 * The securityheaders.com method: one response, six headers. Each missing header lowers the
 * grade one step; all six present gives A, and A+ when none of them carries a warning. The
 * service gives no A-, and neither does this grader. See docs/self-check.md.
 */

/** Response header names in lower case; repeated headers joined with `, ` as RFC 9110 allows. */
export type ResponseHeaders = Readonly<Record<string, string>>;

export interface HeaderGrade {
  readonly grade: LetterGrade;
  /** The graded headers that are absent or have no effect as sent. */
  readonly missing: readonly string[];
  readonly findings: readonly Finding[];
}

/** Index: number of missing headers (0–6). Zero missing is A, or A+ without warnings. */
const GRADE_BY_MISSING_COUNT: readonly LetterGrade[] = ['A', 'B', 'C', 'D', 'E', 'F', 'F'];

export const ONE_YEAR_SECONDS = 31_536_000;

interface HeaderCheck {
  readonly name: string;
  readonly present: boolean;
  readonly warnings: readonly string[];
  readonly finding: Finding;
}

/** Grades the headers of an HTTPS response (so Strict-Transport-Security counts). */
export function gradeHeaders(headers: ResponseHeaders): HeaderGrade {
  const csp = parseCsp(headers['content-security-policy']);
  const checks = [
    checkContentSecurityPolicy(headers['content-security-policy'], csp),
    checkFraming(headers['x-frame-options'], csp),
    checkContentTypeOptions(headers['x-content-type-options']),
    checkReferrerPolicy(headers['referrer-policy']),
    checkPermissionsPolicy(headers['permissions-policy']),
    checkStrictTransportSecurity(headers['strict-transport-security']),
  ];
  const missing = checks.filter((check) => !check.present).map((check) => check.name);
  const hasWarnings = checks.some((check) => check.present && check.warnings.length > 0);
  const letter = GRADE_BY_MISSING_COUNT[missing.length] ?? 'F';
  const grade = letter === 'A' && !hasWarnings ? 'A+' : letter;
  return {
    grade,
    missing,
    findings: [...checks.map((check) => check.finding), checkXssProtection(headers['x-xss-protection']), checkPlatformLeaks(headers)],
  };
}

/** The HSTS max-age the response asks for, or undefined when it sends no usable header. */
export function hstsMaxAgeSeconds(value: string | undefined): number | undefined {
  const match = value?.match(/(?:^|;)\s*max-age\s*=\s*"?(\d+)"?\s*(?:;|$)/i);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

type Csp = ReadonlyMap<string, readonly string[]>;

/** Directive name → sources, lower-cased. Several policies (comma-separated) are merged: warnings are about any of them. */
function parseCsp(value: string | undefined): Csp {
  const directives = new Map<string, string[]>();
  for (const directive of (value ?? '').split(/[;,]/)) {
    const [name, ...sources] = directive.trim().toLowerCase().split(/\s+/);
    if (name) directives.set(name, [...(directives.get(name) ?? []), ...sources]);
  }
  return directives;
}

const SCRIPT_AND_STYLE_DIRECTIVES = ['default-src', 'script-src', 'script-src-elem', 'script-src-attr', 'style-src', 'style-src-elem', 'style-src-attr'];
/** Where a bare `*` or scheme source lets any host supply script, plugins or framing. */
const WILDCARD_SENSITIVE_DIRECTIVES = ['default-src', 'script-src', 'script-src-elem', 'object-src', 'frame-ancestors'];
const WILDCARD_SOURCES = new Set(['*', 'http:', 'https:', 'data:']);

function checkContentSecurityPolicy(value: string | undefined, csp: Csp): HeaderCheck {
  const name = 'Content-Security-Policy';
  const requirements = ['TH-6', 'TH-7', 'TH-19'];
  if (!value?.trim()) {
    return { name, present: false, warnings: [], finding: fail(requirements, `${name} missing: nothing limits where script, style and frames may come from`) };
  }
  const warnings: string[] = [];
  const unsafeInline = SCRIPT_AND_STYLE_DIRECTIVES.filter((directive) => {
    const sources = csp.get(directive) ?? [];
    // CSP Level 2 browsers ignore 'unsafe-inline' next to a nonce or hash; it is only a fallback for old ones there.
    return sources.includes("'unsafe-inline'") && !sources.some((source) => /^'(nonce-|sha(256|384|512)-)/.test(source));
  });
  if (unsafeInline.length > 0) warnings.push(`'unsafe-inline' in ${unsafeInline.join(', ')} lets injected inline code run`);
  const unsafeEval = [...csp].filter(([, sources]) => sources.includes("'unsafe-eval'")).map(([directive]) => directive);
  if (unsafeEval.length > 0) warnings.push(`'unsafe-eval' in ${unsafeEval.join(', ')} lets strings run as code`);
  const wildcards = WILDCARD_SENSITIVE_DIRECTIVES.flatMap((directive) =>
    (csp.get(directive) ?? []).filter((source) => WILDCARD_SOURCES.has(source)).map((source) => `${directive} ${source}`),
  );
  if (wildcards.length > 0) warnings.push(`wildcard sources (${wildcards.join(', ')}) allow any host`);
  if (!csp.has('default-src') && !csp.has('script-src')) warnings.push('neither default-src nor script-src restricts scripts');
  return warnings.length > 0
    ? { name, present: true, warnings, finding: warn(requirements, `${name} present, but ${warnings.join('; ')}`) }
    : { name, present: true, warnings, finding: pass(requirements, `${name} present without unsafe-inline, unsafe-eval or wildcard sources`) };
}

function checkFraming(value: string | undefined, csp: Csp): HeaderCheck {
  const name = 'X-Frame-Options';
  const requirements = ['TH-6', 'TH-19'];
  const frameAncestors = csp.get('frame-ancestors');
  const action = value?.trim().toUpperCase();
  if (action === 'DENY' || action === 'SAMEORIGIN') {
    return { name, present: true, warnings: [], finding: pass(requirements, `${name}: ${action} (no framing by other sites)`) };
  }
  if (frameAncestors) {
    return {
      name,
      present: true,
      warnings: [],
      finding: pass(requirements, `framing limited by CSP frame-ancestors ${frameAncestors.join(' ')}, which replaces ${name}`),
    };
  }
  const why = value === undefined ? 'missing' : `has no effect ("${value}"; browsers honour only DENY and SAMEORIGIN)`;
  return { name, present: false, warnings: [], finding: fail(requirements, `${name} ${why} and no CSP frame-ancestors: clickjacking is possible`) };
}

function checkContentTypeOptions(value: string | undefined): HeaderCheck {
  const name = 'X-Content-Type-Options';
  const requirements = ['TH-6', 'TH-19'];
  if (value?.trim().toLowerCase() === 'nosniff') {
    return { name, present: true, warnings: [], finding: pass(requirements, `${name}: nosniff`) };
  }
  const why = value === undefined ? 'missing' : `has no effect ("${value}"; the only valid value is nosniff)`;
  return { name, present: false, warnings: [], finding: fail(requirements, `${name} ${why}: browsers may sniff uploads into script`) };
}

const REFERRER_POLICIES = new Set([
  'no-referrer',
  'no-referrer-when-downgrade',
  'origin',
  'origin-when-cross-origin',
  'same-origin',
  'strict-origin',
  'strict-origin-when-cross-origin',
  'unsafe-url',
]);
/** Both send the full URL, path and query included, to every other HTTPS site. */
const LEAKING_REFERRER_POLICIES = new Set(['unsafe-url', 'no-referrer-when-downgrade']);

function checkReferrerPolicy(value: string | undefined): HeaderCheck {
  const name = 'Referrer-Policy';
  const requirements = ['TH-6', 'TH-19'];
  // Browsers apply the last token they understand (a fallback list is allowed).
  const policy = (value ?? '')
    .split(',')
    .map((token) => token.trim().toLowerCase())
    .filter((token) => REFERRER_POLICIES.has(token))
    .at(-1);
  if (!policy) {
    const why = value === undefined ? 'missing' : `has no effect ("${value}" names no known policy)`;
    return { name, present: false, warnings: [], finding: fail(requirements, `${name} ${why}: full URLs leak to other sites`) };
  }
  if (LEAKING_REFERRER_POLICIES.has(policy)) {
    const warning = `${policy} sends full URLs, query included, to other sites`;
    return { name, present: true, warnings: [warning], finding: warn(requirements, `${name} present, but ${warning}`) };
  }
  return { name, present: true, warnings: [], finding: pass(requirements, `${name}: ${policy}`) };
}

function checkPermissionsPolicy(value: string | undefined): HeaderCheck {
  const name = 'Permissions-Policy';
  const requirements = ['TH-6', 'TH-19'];
  if (!value?.trim()) {
    return { name, present: false, warnings: [], finding: fail(requirements, `${name} missing: embedded content may ask for camera, location and other powers`) };
  }
  const everyOrigin = value
    .split(',')
    .map((entry) => entry.trim().split('='))
    .filter(([, allowlist]) => allowlist?.trim() === '*')
    .map(([feature]) => feature?.trim());
  if (everyOrigin.length > 0) {
    const warning = `grants ${everyOrigin.join(', ')} to every origin`;
    return { name, present: true, warnings: [warning], finding: warn(requirements, `${name} present, but ${warning}`) };
  }
  const features = value.split(',').length;
  return { name, present: true, warnings: [], finding: pass(requirements, `${name} present (${features} feature${features === 1 ? '' : 's'} restricted)`) };
}

function checkStrictTransportSecurity(value: string | undefined): HeaderCheck {
  const name = 'Strict-Transport-Security';
  const requirements = ['TH-8', 'TH-19'];
  const maxAge = hstsMaxAgeSeconds(value);
  if (maxAge === undefined || maxAge === 0) {
    const why = value === undefined ? 'missing' : maxAge === 0 ? 'has max-age=0, which switches HSTS off' : `has no valid max-age ("${value}")`;
    return { name, present: false, warnings: [], finding: fail(requirements, `${name} ${why}: the first plain-HTTP visit can be intercepted`) };
  }
  const extras = ['includeSubDomains', 'preload'].filter((directive) => new RegExp(`(^|;)\\s*${directive}\\s*(;|$)`, 'i').test(value ?? ''));
  const description = `max-age=${maxAge}${extras.map((extra) => `; ${extra}`).join('')}`;
  if (maxAge < ONE_YEAR_SECONDS) {
    const warning = `max-age ${maxAge} s is under one year`;
    return { name, present: true, warnings: [warning], finding: warn(requirements, `${name} present, but ${warning} (${description})`) };
  }
  return { name, present: true, warnings: [], finding: pass(requirements, `${name}: ${description}`) };
}

/** Not graded by securityheaders.com any more, but TH-6 still asks for it; OWASP advises "0". */
function checkXssProtection(value: string | undefined): Finding {
  const name = 'X-XSS-Protection';
  if (value === undefined) return fail(['TH-6'], `${name} missing (TH-6 asks for it; "0" is the safe value)`);
  if (value.trim() === '0') return pass(['TH-6'], `${name}: 0 (legacy XSS auditor switched off, as OWASP advises)`);
  return warn(['TH-6'], `${name}: "${value}" switches on the legacy XSS auditor, which itself enabled cross-site leaks; send "0"`);
}

const PLATFORM_HEADERS = ['server', 'x-powered-by', 'x-aspnet-version', 'x-aspnetmvc-version'];

function checkPlatformLeaks(headers: ResponseHeaders): Finding {
  const leaks = PLATFORM_HEADERS.filter((header) => headers[header] !== undefined).map((header) => `${header}: ${headers[header]}`);
  return leaks.length > 0
    ? fail(['TH-9'], `platform revealed by ${leaks.join('; ')}`)
    : pass(['TH-9'], 'no Server, X-Powered-By or X-AspNet-Version header reveals the platform');
}
