import { Access1764500000000 } from './1764500000000-access.js';

export const ACCESS_MIGRATIONS = [Access1764500000000];
