import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTestEvidence, loadCatalogue, requirementIdsInTitle } from './catalogue.js';
import type { TestEvidenceById } from './catalogue.js';

const repoRoot = resolve(import.meta.dirname, '../../../..');
const sharedRoot = resolve(repoRoot, '../shared');
const seedFiles = ['seeds/000_86bda3996af784df.txt', 'seeds/001_62c73ea4383591bd.txt'];
const sourceByPrefix: Record<string, string> = {
  SE: 'Security-eisen',
  SV: 'SaaS-voorwaarden',
  TH: 'Bijlage 1: Gebruik van TLS en HTTP headers',
};

interface IndexRow {
  id: string;
  summary: string;
  kinds: string[];
  /** True for the items a range row such as `SV-7.1–7.8` stands for; they share one summary. */
  fromRange: boolean;
}

/**
 * The ID tables of REQUIREMENTS.md. Every kind word in the Kind cell counts, also one inside the
 * note ("org (+ product: self-check tooling)"). In a range row, kinds after the first apply only to
 * the items the note names ("org + product (7.3 access review export, 7.6 …)").
 */
function readRequirementIndex(): IndexRow[] {
  const markdown = readFileSync(resolve(sharedRoot, 'REQUIREMENTS.md'), 'utf8');
  return markdown.split('\n').flatMap((line): IndexRow[] => {
    const cells = /^\| ((?:SE|SV|TH)-[\d.–]+) \| (.+) \| (.+) \|$/.exec(line);
    if (!cells) return [];
    const [, id, summary, kindCell] = cells;
    const kinds = [...new Set(kindCell.match(/\b(?:product|deploy|org)\b/g))];
    const range = /^(\w+-)(\d+)\.(\d+)–\2\.(\d+)$/.exec(id);
    if (!range) return [{ id, summary, kinds, fromRange: false }];
    const [, prefix, major, first, last] = range;
    const note = /\(([^)]*)\)/.exec(kindCell)?.[1] ?? '';
    return Array.from({ length: Number(last) - Number(first) + 1 }, (_, offset) => {
      const item = `${major}.${Number(first) + offset}`;
      const itemKinds = note.includes(item) ? kinds : kinds.slice(0, 1);
      return { id: `${prefix}${item}`, summary, kinds: itemKinds, fromRange: true };
    });
  });
}

/** Whitespace collapsed, words re-joined across line-end hyphens, text-less conversion placeholders dropped. */
function normaliseDutch(text: string): string {
  return text
    .replace(/\[(?:bookmark|image):[^\]]*\]/g, '')
    .replace(/-[ \t]*\n\s*(?=\p{Ll})/gu, '-')
    .replace(/\s+/g, ' ')
    .trim();
}

// Fixture test files are assembled from parts so that this spec's own source never contains a
// test call naming an ID, which the scan of the real repository would otherwise count as evidence.
function testCall(callee: string, title: string, quote = "'"): string {
  return `${callee}(${quote}${title}${quote}, () => {});`;
}

function testCallOnSeveralLines(callee: string, title: string): string {
  return `${callee}(\n  '${title}',\n  () => {},\n);`;
}

function openTestBlock(callee: string, title: string): string {
  return `${callee}('${title}', () => {`;
}

describe('requirement catalogue', () => {
  const catalogue = loadCatalogue();

  it('lists every requirement of REQUIREMENTS.md, in document order, with its kinds', () => {
    const index = readRequirementIndex();

    expect(index.length).toBeGreaterThan(50);
    expect(catalogue.map(({ id, kinds }) => ({ id, kinds }))).toEqual(index.map(({ id, kinds }) => ({ id, kinds })));
  });

  it('keeps the English summary of REQUIREMENTS.md for every row that is not a range', () => {
    const summaries = new Map(catalogue.map((requirement) => [requirement.id, requirement.summary]));

    for (const row of readRequirementIndex().filter((candidate) => !candidate.fromRange)) {
      expect(summaries.get(row.id), row.id).toBe(row.summary);
    }
  });

  it('splits SV-7.1–7.8 into eight SLA items of which only SV-7.3 and SV-7.6 are also product', () => {
    const slaItems = catalogue.filter((requirement) => /^SV-7\.[1-8]$/.test(requirement.id));

    expect(slaItems.map(({ id, kinds }) => `${id}: ${kinds.join('+')}`)).toEqual([
      'SV-7.1: org',
      'SV-7.2: org',
      'SV-7.3: org+product',
      'SV-7.4: org',
      'SV-7.5: org',
      'SV-7.6: org+product',
      'SV-7.7: org',
      'SV-7.8: org',
    ]);
    expect(new Set(slaItems.map((item) => item.summary)).size).toBe(8);
  });

  it('holds every ID once and names the document it comes from', () => {
    const ids = catalogue.map((requirement) => requirement.id);

    expect(new Set(ids).size).toBe(ids.length);
    for (const requirement of catalogue) {
      expect(requirement.source, requirement.id).toBe(sourceByPrefix[requirement.id.slice(0, 2)]);
    }
  });

  it('has for every requirement a Dutch text taken verbatim from the seed documents', () => {
    const seeds = seedFiles.map((file) => normaliseDutch(readFileSync(resolve(sharedRoot, file), 'utf8'))).join('\n');

    for (const requirement of catalogue) {
      expect(requirement.dutch.length, requirement.id).toBeGreaterThan(20);
      expect(seeds.includes(requirement.dutch), `${requirement.id}: Dutch text not found in the seeds`).toBe(true);
    }
  });

  it('points only at evidence that exists in the repository', () => {
    const missing = catalogue.flatMap((requirement) =>
      [...requirement.evidence.code, ...requirement.evidence.docs]
        .filter((path) => !existsSync(resolve(repoRoot, path)))
        .map((path) => `${requirement.id}: ${path}`),
    );

    expect(missing, `evidence paths that do not exist:\n${missing.join('\n')}`).toEqual([]);
  });

  it('every product requirement an issue has built has a test naming it', () => {
    const evidence = findTestEvidence(repoRoot);
    const missing = catalogue
      .filter((requirement) => requirement.issue !== undefined && requirement.kinds.includes('product'))
      .filter((requirement) => !evidence.has(requirement.id))
      .map((requirement) => `${requirement.id} (issue ${requirement.issue})`);

    expect(missing, `product requirements that no test title names: ${missing.join(', ')}`).toEqual([]);
  });

  it('knows every requirement ID that a test title names', () => {
    const known = new Set(catalogue.map((requirement) => requirement.id));
    const unknown = [...findTestEvidence(repoRoot)]
      .filter(([id]) => !known.has(id))
      .flatMap(([id, tests]) => tests.map((test) => `${id} in ${test.file}:${test.line}`));

    expect(unknown, `test titles name IDs missing from the catalogue:\n${unknown.join('\n')}`).toEqual([]);
  });
});

describe('requirementIdsInTitle', () => {
  it('reads several IDs from one bracket and from several brackets', () => {
    expect(requirementIdsInTitle('redirects [SE-6.3] [TH-1] and pins [TH-12 TH-13]')).toEqual([
      'SE-6.3',
      'TH-1',
      'TH-12',
      'TH-13',
    ]);
  });

  it('ignores IDs outside brackets and tokens that only resemble an ID', () => {
    expect(requirementIdsInTitle('TH-1 mentioned in prose')).toEqual([]);
    expect(requirementIdsInTitle('[TH-1x] [see TH-] [1, 2]')).toEqual([]);
  });
});

describe('findTestEvidence', () => {
  let fixtureRoot: string;
  let evidence: TestEvidenceById;

  function writeFixture(path: string, lines: string[]): void {
    const file = join(fixtureRoot, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, lines.join('\n') + '\n');
  }

  beforeAll(() => {
    fixtureRoot = mkdtempSync(join(tmpdir(), 'compliance-evidence-'));
    writeFixture('libs/web/src/redirect.spec.ts', [
      openTestBlock('describe', 'redirect [TH-1]'),
      testCall('it', 'answers plain HTTP with a redirect [TH-1] [TH-2]'),
      testCall('it', 'keeps the host [SE-6.3 TH-12]', '"'),
      testCall('it.skip', 'skipped tests prove nothing [TH-5]'),
      '// ' + testCall('it', 'commented-out tests prove nothing [TH-6]'),
      testCall('test.concurrent', 'modifiers are fine [SV-7.3]', '`'),
      testCallOnSeveralLines('it', 'titles on the next line count [TH-8] [TH-9]'),
      testCall('audit', 'other callees are no tests [TH-10]'),
      testCall('it', 'almost IDs are no IDs [TH-1x]'),
      '});',
    ]);
    writeFixture('test/e2e/tls.e2e.ts', [testCall('test', 'negotiates TLS 1.2 at least [TH-5]')]);
    writeFixture('tools/checks/ciphers.int.spec.ts', [testCall('it', 'offers forward secrecy only [TH-13]')]);
    writeFixture('libs/web/node_modules/dependency/index.spec.ts', [testCall('it', 'dependency tests [TH-14]')]);
    writeFixture('libs/web/dist/redirect.spec.ts', [testCall('it', 'build output [TH-14]')]);
    writeFixture('libs/web/src/helpers.ts', [testCall('it', 'not a test file [TH-22]')]);
    writeFixture('scripts/outside.spec.ts', [testCall('it', 'outside the scanned roots [TH-4]')]);
    evidence = findTestEvidence(fixtureRoot);
  });

  afterAll(() => {
    rmSync(fixtureRoot, { recursive: true, force: true });
  });

  it('finds exactly the IDs named by active tests in test files under the scanned roots', () => {
    expect([...evidence.keys()].sort()).toEqual(['SE-6.3', 'SV-7.3', 'TH-1', 'TH-12', 'TH-13', 'TH-2', 'TH-5', 'TH-8', 'TH-9']);
  });

  it('matches IDs exactly, so TH-1 does not collect the tests of TH-12', () => {
    expect(evidence.get('TH-1')).toEqual([
      { file: 'libs/web/src/redirect.spec.ts', line: 1, title: 'redirect [TH-1]' },
      { file: 'libs/web/src/redirect.spec.ts', line: 2, title: 'answers plain HTTP with a redirect [TH-1] [TH-2]' },
    ]);
    expect(evidence.get('TH-12')).toEqual([
      { file: 'libs/web/src/redirect.spec.ts', line: 3, title: 'keeps the host [SE-6.3 TH-12]' },
    ]);
  });

  it('reports the line where the test call starts and paths relative to the repository root', () => {
    expect(evidence.get('TH-9')).toEqual([
      { file: 'libs/web/src/redirect.spec.ts', line: 7, title: 'titles on the next line count [TH-8] [TH-9]' },
    ]);
    expect(evidence.get('TH-5')).toEqual([
      { file: 'test/e2e/tls.e2e.ts', line: 1, title: 'negotiates TLS 1.2 at least [TH-5]' },
    ]);
    expect(evidence.get('TH-13')?.map((test) => test.file)).toEqual(['tools/checks/ciphers.int.spec.ts']);
  });
});
