import { ApplicationRole1764000000000 } from './1764000000000-application-role.js';

/** In order; feature libraries pass theirs to prepareDatabase, which runs them after these. */
export const PLATFORM_MIGRATIONS = [ApplicationRole1764000000000];
