export { createTestDatabase } from './lib/test-database.js';
export type { TestDatabase } from './lib/test-database.js';
export { redisTestUrl } from './lib/test-redis.js';
export { createScratchDatabase } from './lib/scratch-database.js';
export type { ScratchDatabase } from './lib/scratch-database.js';
export { freePort } from './lib/free-port.js';
export { createMigratedTestDatabase } from './lib/migrated-test-database.js';
export type { MigratedTestDatabase } from './lib/migrated-test-database.js';
