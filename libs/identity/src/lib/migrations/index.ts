import { Identity1764100000000 } from './1764100000000-identity.js';

export const IDENTITY_MIGRATIONS = [Identity1764100000000];
