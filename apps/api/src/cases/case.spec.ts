import { describe, expect, it } from 'vitest';
import { CASE_ASSIGNMENT, CASE_CHANGE, CASE_CLOSING, CASE_LIST_QUERY, isValidBsn, NEW_CASE } from './case.js';

/** The elfproef written out again, independently: weights 9 … 2 for the first eight digits, −1 for the last. */
function elfproef(digits: readonly number[]): boolean {
  const weights = [9, 8, 7, 6, 5, 4, 3, 2, -1];
  return digits.reduce((sum, digit, index) => sum + digit * weights[index]!, 0) % 11 === 0;
}

/** A small seeded PRNG, so a failure names inputs that repeat. */
function digitsFrom(seed: number): () => number[] {
  let state = seed >>> 0;
  return () =>
    Array.from({ length: 9 }, () => {
      state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
      return (state >>> 24) % 10;
    });
}

const VALID = ['111222333', '123456782', '192837461', '999999990'];
const MINIMAL = { title: 'Aanvraag', category: 'Bijstand', citizenName: 'Jan de Vries' };
const issues = (result: { success: boolean; error?: { issues: Array<{ path: PropertyKey[]; message: string }> } }) =>
  (result.error?.issues ?? []).map((issue) => `${issue.path.join('.')}: ${issue.message}`);

describe('isValidBsn', () => {
  it('[SE-4.1] accepts nine digits that pass the elfproef', () => {
    for (const bsn of VALID) expect(isValidBsn(bsn), bsn).toBe(true);
  });

  it('[SE-4.1] refuses a wrong check digit, another length, and anything but ASCII digits', () => {
    for (const bsn of ['123456789', '111222334', '12345678', '1234567820', '', '12345678a', ' 123456782', '123456782 ', '123 456 782', '+12345678', '١٢٣٤٥٦٧٨٢', '１２３４５６７８２']) {
      expect(isValidBsn(bsn), JSON.stringify(bsn)).toBe(false);
    }
  });

  it('[SE-4.1] agrees with the elfproef written independently on 5,000 seeded nine-digit numbers', () => {
    const next = digitsFrom(20_251_206);
    const disagreements: string[] = [];
    for (let run = 0; run < 5_000; run++) {
      const digits = next();
      if (isValidBsn(digits.join('')) !== elfproef(digits)) disagreements.push(digits.join(''));
    }
    expect(disagreements).toEqual([]);
  });

  it('[SE-4.1] has exactly one check digit for each eight-digit start whose weighted sum is not 10 modulo 11, and none otherwise', () => {
    const next = digitsFrom(7);
    for (let run = 0; run < 500; run++) {
      const start = next().slice(0, 8).join('');
      const weighted = [...start].reduce((sum, digit, index) => sum + Number(digit) * (9 - index), 0);
      const checkDigits = [...'0123456789'].filter((last) => isValidBsn(start + last));
      expect(checkDigits, start).toHaveLength(weighted % 11 === 10 ? 0 : 1);
    }
  });

  it('[SE-4.1] catches every single-digit typo and every swap of two adjacent different digits of a valid BSN', () => {
    for (const bsn of VALID) {
      for (let index = 0; index < 9; index++) {
        for (const digit of '0123456789') {
          if (digit === bsn[index]) continue;
          expect(isValidBsn(bsn.slice(0, index) + digit + bsn.slice(index + 1)), `${bsn} with ${digit} at ${index}`).toBe(false);
        }
        if (index < 8 && bsn[index] !== bsn[index + 1]) {
          const swapped = bsn.slice(0, index) + bsn[index + 1] + bsn[index] + bsn.slice(index + 2);
          expect(isValidBsn(swapped), `${bsn} swapped at ${index}`).toBe(false);
        }
      }
    }
  });
});

describe('NEW_CASE', () => {
  it('[SE-4.1] takes a minimal case, trims text, and gives the description its empty default', () => {
    expect(NEW_CASE.parse({ ...MINIMAL, title: '  Aanvraag  ', citizenBsn: ' 123456782 ' })).toEqual({ ...MINIMAL, citizenBsn: '123456782', description: '' });
  });

  it('[SE-4.1] [SE-6.2] refuses fields it does not know, such as a team, an assignee, a status or a tenant id', () => {
    for (const extra of [{ team: 'Burgerzaken' }, { assigneeId: '5f0e8c1a-3b7d-4c2e-9a61-0d4b8e2f7c35' }, { status: 'closed' }, { tenantId: '5f0e8c1a-3b7d-4c2e-9a61-0d4b8e2f7c35' }, { id: 'x' }]) {
      const result = NEW_CASE.safeParse({ ...MINIMAL, ...extra });
      expect(result.success, JSON.stringify(extra)).toBe(false);
      expect(issues(result)).toEqual([`: Unrecognized key: "${Object.keys(extra)[0]}"`]);
    }
  });

  it('[SE-4.1] lists every problem at once: missing, blank, too long, and a BSN failing the elfproef', () => {
    const result = NEW_CASE.safeParse({ title: '   ', citizenName: 'x'.repeat(201), citizenBsn: '123456789', citizenAddress: '', description: 'x'.repeat(10_001) });
    expect(issues(result).map((issue) => issue.split(':')[0])).toEqual(['title', 'category', 'citizenName', 'citizenBsn', 'citizenAddress', 'description']);
    expect(issues(result)).toContain('citizenBsn: is not a valid BSN (nine digits passing the elfproef)');
  });

  it('[SE-4.1] takes text at its maximum lengths, which the database columns also allow', () => {
    const longest = { title: 't'.repeat(200), category: 'c'.repeat(100), citizenName: 'n'.repeat(200), citizenAddress: 'a'.repeat(500), description: 'd'.repeat(10_000) };
    expect(NEW_CASE.safeParse(longest).success).toBe(true);
    for (const [field, length] of [['title', 201], ['category', 101], ['citizenName', 201], ['citizenAddress', 501]] as const) {
      expect(NEW_CASE.safeParse({ ...longest, [field]: 'x'.repeat(length) }).success, field).toBe(false);
    }
  });

  it('[SE-4.1] refuses values of the wrong type rather than converting them', () => {
    for (const wrong of [{ citizenBsn: 123456782 }, { title: ['a'] }, { description: null }, { citizenAddress: 7 }]) {
      expect(NEW_CASE.safeParse({ ...MINIMAL, ...wrong }).success, JSON.stringify(wrong)).toBe(false);
    }
    for (const notAnObject of [null, [], 'case', 42]) expect(NEW_CASE.safeParse(notAnObject).success).toBe(false);
  });
});

describe('CASE_CHANGE', () => {
  it('[SE-4.1] takes any one field to change, with the same rules as a new case', () => {
    for (const change of [{ title: 'Nieuw' }, { category: 'Schuldhulp' }, { citizenName: 'Piet' }, { citizenBsn: '111222333' }, { citizenAddress: 'Kerkpad 2' }, { description: 'Meer' }]) {
      expect(CASE_CHANGE.safeParse(change).success, JSON.stringify(change)).toBe(true);
    }
    expect(CASE_CHANGE.safeParse({ citizenBsn: '111222334' }).success).toBe(false);
    expect(CASE_CHANGE.safeParse({ title: ' ' }).success).toBe(false);
  });

  it('[SE-4.1] refuses a change of what only assignment or closing may change: team, assignee, status, resolution', () => {
    for (const field of ['team', 'assigneeId', 'status', 'resolution', 'closedAt', 'createdBy', 'tenantId', 'id']) {
      expect(issues(CASE_CHANGE.safeParse({ title: 'x', [field]: 'y' })), field).toEqual([`: Unrecognized key: "${field}"`]);
    }
  });

  it('[SE-4.1] [SE-6.1] refuses an empty change', () => {
    const result = CASE_CHANGE.safeParse({});
    expect(issues(result)).toEqual([': name at least one field to change']);
  });

  it('[SE-6.1] leaves out what the change does not name', () => {
    expect(CASE_CHANGE.parse({ title: 'Nieuw' })).toEqual({ title: 'Nieuw' });
  });
});

describe('CASE_CLOSING and CASE_ASSIGNMENT', () => {
  it('[SE-4.1] closes only with a resolution that is not blank and at most 2,000 characters, and nothing else', () => {
    expect(CASE_CLOSING.parse({ resolution: '  Hulp geboden ' })).toEqual({ resolution: 'Hulp geboden' });
    for (const body of [{}, { resolution: '   ' }, { resolution: 'r'.repeat(2_001) }, { resolution: 'ok', status: 'open' }]) {
      expect(CASE_CLOSING.safeParse(body).success, JSON.stringify(body)).toBe(false);
    }
  });

  it('[SE-4.1] assigns to a user id, a team, both, or takes either away, and refuses an empty or malformed assignment', () => {
    const id = '5f0e8c1a-3b7d-4c2e-9a61-0d4b8e2f7c35';
    for (const body of [{ assigneeId: id }, { team: 'Burgerzaken' }, { assigneeId: null }, { team: null }, { assigneeId: id, team: 'Burgerzaken' }]) {
      expect(CASE_ASSIGNMENT.parse(body)).toEqual(body);
    }
    expect(issues(CASE_ASSIGNMENT.safeParse({}))).toEqual([': name an assignee, a team or both']);
    for (const body of [{ assigneeId: 'jan' }, { assigneeId: 42 }, { team: '' }, { team: 't'.repeat(201) }, { team: 'x', tenantId: id }]) {
      expect(CASE_ASSIGNMENT.safeParse(body).success, JSON.stringify(body)).toBe(false);
    }
  });
});

describe('CASE_LIST_QUERY', () => {
  it('[SE-4.1] defaults to the newest 20 and reads numbers from query strings', () => {
    expect(CASE_LIST_QUERY.parse({})).toEqual({ sort: '-created', limit: 20, offset: 0 });
    expect(CASE_LIST_QUERY.parse({ status: 'closed', sort: 'title', limit: '100', offset: '40' })).toEqual({ status: 'closed', sort: 'title', limit: 100, offset: 40 });
  });

  it('[SE-4.1] [SE-6.2] refuses pages out of bounds, unknown sorts and statuses, and unknown parameters such as a tenant id', () => {
    for (const query of [{ limit: '0' }, { limit: '101' }, { limit: '2.5' }, { limit: 'all' }, { offset: '-1' }, { offset: '100001' }, { sort: 'citizenName' }, { sort: 'created;drop' }, { status: 'archived' }, { status: ['open', 'closed'] }, { tenantId: 'x' }, { team: 'Burgerzaken' }]) {
      expect(CASE_LIST_QUERY.safeParse(query).success, JSON.stringify(query)).toBe(false);
    }
  });
});
