export { findTestEvidence, loadCatalogue, requirementIdsInTitle, requirementKinds } from './lib/catalogue.js';
export type { Requirement, RequirementKind, TestEvidence, TestEvidenceById } from './lib/catalogue.js';
export { matrixPath, renderMatrix, summariseCoverage } from './lib/matrix.js';
export type { CoverageSummary } from './lib/matrix.js';
