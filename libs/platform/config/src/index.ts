export { loadConfig, securityTxtExpiryProblems, DEVELOPMENT_CERTIFICATE_MARK, SECURITY_TXT_MAX_LIFETIME_MS } from './lib/load-config.js';
export type { AppConfig } from './lib/load-config.js';
export { ConfigError } from './lib/config.error.js';
export { VARIABLES } from './lib/variables.js';
export type { VariableSpec } from './lib/variables.js';
export { renderConfigurationDoc } from './lib/configuration-doc.js';
