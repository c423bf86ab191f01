export { startEmbeddedPostgres, readOrCreateSecret } from './lib/embedded-postgres.js';
export type { EmbeddedPostgresHandle, EmbeddedPostgresOptions } from './lib/embedded-postgres.js';
export { prepareDatabase, applicationRoleProblems, DatabaseRoleError } from './lib/prepare-database.js';
export type { PrepareDatabaseOptions } from './lib/prepare-database.js';
export { openAppDataSource } from './lib/data-source.js';
export { APPLICATION_GROUP_ROLE } from './lib/roles.js';
export { queryRows } from './lib/query-rows.js';
