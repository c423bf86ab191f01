/**
 * The exact text an audit event is hashed as: RFC 8785 (JSON Canonicalization Scheme) for the
 * values an event holds. Object members are sorted by their names' UTF-16 code units and written
 * without whitespace; strings and numbers are written as ECMAScript's JSON.stringify writes them;
 * members whose value is undefined are left out, as JSON.stringify does.
 *
 * Why this and not PostgreSQL's jsonb text: the bytes that are hashed must be reproducible by
 * anyone, in any language, from the event document alone (a SIEM, an auditor's script), and must
 * not change when PostgreSQL is upgraded; jsonb's rendering is an implementation detail of one
 * server (key order by length, spaces after separators, numeric formatting).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`${value} has no JSON form`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const members = Object.entries(value)
      .filter(([, member]) => member !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${members.map(([name, member]) => `${JSON.stringify(name)}:${canonicalJson(member)}`).join(',')}}`;
  }
  throw new TypeError(`a ${typeof value} has no JSON form`);
}
