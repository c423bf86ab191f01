/**
 * Writes docs/compliance/matrix.md from the requirement catalogue and the requirement IDs named in
 * test titles. With --check it writes nothing and exits 1 when the committed matrix is stale, so CI
 * can refuse a change that moves evidence without regenerating the matrix.
 *
 * Usage: node --import @swc-node/register/esm-register tools/compliance-matrix.ts [--check]
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { findTestEvidence, loadCatalogue, matrixPath, renderMatrix, summariseCoverage } from '@veilig/compliance';

const repoRoot = resolve(import.meta.dirname, '..');
const outputFile = resolve(repoRoot, matrixPath);
const checkOnly = process.argv.includes('--check');

const catalogue = loadCatalogue();
const evidence = findTestEvidence(repoRoot);
const matrix = renderMatrix(catalogue, evidence);
const summary = summariseCoverage(catalogue, evidence);
const coverage = `${summary.productWithTests} of ${summary.byKind.product} product requirements named by a test`;

if (checkOnly) {
  const onDisk = existsSync(outputFile) ? readFileSync(outputFile, 'utf8') : undefined;
  if (onDisk !== matrix) {
    const problem = onDisk === undefined ? 'is missing' : 'is stale';
    console.error(`${matrixPath} ${problem}: run \`npm run compliance:matrix\` and commit the result.`);
    process.exitCode = 1;
  } else {
    console.log(`${matrixPath} is up to date (${coverage}).`);
  }
} else {
  mkdirSync(dirname(outputFile), { recursive: true });
  writeFileSync(outputFile, matrix);
  console.log(`Wrote ${matrixPath}: ${summary.requirements} requirements, ${coverage}.`);
}
