export { createTestDatabase } from './lib/test-database.js';
export type { TestDatabase } from './lib/test-database.js';
export { freePort } from './lib/free-port.js';
