import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { z } from 'zod';
import requirementsJson from './requirements.json' with { type: 'json' };

export const requirementKinds = ['product', 'deploy', 'org'] as const;
export type RequirementKind = (typeof requirementKinds)[number];

const requirementSchema = z.object({
  id: z.string().refine(isRequirementId, 'not a requirement ID such as SE-6.3, SV-7.1 or TH-8'),
  source: z.string().min(1),
  summary: z.string().min(1),
  kinds: z.array(z.enum(requirementKinds)).min(1),
  kindNote: z.string().min(1).optional(),
  dutch: z.string().min(1),
  issue: z.number().int().positive().optional(),
  evidence: z.object({
    code: z.array(z.string().min(1)),
    docs: z.array(z.string().min(1)),
  }),
});

export type Requirement = z.infer<typeof requirementSchema>;

export interface TestEvidence {
  /** Repository-relative path with forward slashes. */
  file: string;
  line: number;
  title: string;
}

export type TestEvidenceById = Map<string, TestEvidence[]>;

// The JSON is edited by hand, so a typo must fail loudly here rather than render a wrong matrix.
export function loadCatalogue(): Requirement[] {
  return z.array(requirementSchema).parse(requirementsJson);
}

const testRoots = ['apps', 'libs', 'test', 'tools'];
const skippedDirectories = new Set(['node_modules', 'dist', '.data', '.nx', 'coverage']);
const testFileSuffixes = ['.spec.ts', '.e2e.ts'];

/**
 * `it`, `test` or `describe` (optionally with modifiers such as `.concurrent`) called with a string
 * literal title. Group 1 holds the modifiers; groups 2–4 the title for each quote style.
 */
const testCallPattern =
  /(?<![\w$.])(?:it|test|describe)((?:\.\w+)*)\s*\(\s*(?:'((?:[^'\\\n]|\\.)*)'|"((?:[^"\\\n]|\\.)*)"|`((?:[^`\\$]|\\.|\$(?!\{))*)`)/g;
// A skipped or planned test proves nothing, so it must not count as evidence.
const nonProvingModifiers = /\.(?:skip|todo)\b/;
const bracketPattern = /\[([^\]]*)\]/g;

export function isRequirementId(token: string): boolean {
  return /^(?:SE|SV|TH)-\d+(?:\.\d+)?$/.test(token);
}

/** The comma- or space-separated tokens inside one pair of brackets. */
export function idTokens(bracketContent: string): string[] {
  return bracketContent.split(/[\s,]+/).filter((token) => token !== '');
}

/** Requirement IDs named in brackets in a test title, e.g. `[SE-6.3, TH-1]` or `[TH-8] [TH-9]`. */
export function requirementIdsInTitle(title: string): string[] {
  const ids = new Set<string>();
  for (const [, bracketContent] of title.matchAll(bracketPattern)) {
    for (const token of idTokens(bracketContent)) {
      if (isRequirementId(token)) ids.add(token);
    }
  }
  return [...ids];
}

/**
 * Scans the test files under apps/, libs/, test/ and tools/ for test titles that name requirement
 * IDs. Files and hits are visited in sorted order so the result (and the matrix) is deterministic.
 */
export function findTestEvidence(repoRoot: string): TestEvidenceById {
  const evidence: TestEvidenceById = new Map();
  const testFiles = testRoots.flatMap((root) => listTestFiles(join(repoRoot, root)));
  for (const absolutePath of testFiles) {
    const file = relative(repoRoot, absolutePath).split(sep).join('/');
    const source = readFileSync(absolutePath, 'utf8');
    for (const call of source.matchAll(testCallPattern)) {
      const [, modifiers, singleQuoted, doubleQuoted, templated] = call;
      if (nonProvingModifiers.test(modifiers) || isCommentedOut(source, call.index)) continue;
      const title = singleQuoted ?? doubleQuoted ?? templated;
      const line = lineNumberAt(source, call.index);
      for (const id of requirementIdsInTitle(title)) {
        const hits = evidence.get(id) ?? [];
        hits.push({ file, line, title });
        evidence.set(id, hits);
      }
    }
  }
  return evidence;
}

function listTestFiles(directory: string): string[] {
  let entries;
  try {
    entries = readdirSync(directory, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return entries
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((entry) => {
      const path = join(directory, entry.name);
      if (entry.isDirectory()) return skippedDirectories.has(entry.name) ? [] : listTestFiles(path);
      return entry.isFile() && testFileSuffixes.some((suffix) => entry.name.endsWith(suffix)) ? [path] : [];
    });
}

// A disabled test left in a comment must not count as proof; block comments are recognised by the
// conventional leading `*` or `/*` on the line.
function isCommentedOut(source: string, index: number): boolean {
  const lineStart = source.lastIndexOf('\n', index - 1) + 1;
  const before = source.slice(lineStart, index);
  return before.includes('//') || /^\s*(?:\/\*|\*)/.test(before);
}

function lineNumberAt(source: string, index: number): number {
  return source.slice(0, index).split('\n').length;
}
