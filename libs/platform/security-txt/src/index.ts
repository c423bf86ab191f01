export { renderSecurityTxt, signSecurityTxt } from './lib/security-txt.js';
export type { SecurityTxtFields, SigningKey } from './lib/security-txt.js';
export { SecurityTxtModule } from './lib/security-txt.module.js';
