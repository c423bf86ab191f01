/**
 * Where the processes run on a 2-core machine: the kit's side (SAML service provider, OIDC
 * relying party, the kit's server) on one core, its counterpart (the development IdP, autocannon)
 * on the other, so neither steals the other's time or shares a core with its GC threads.
 */
export const KIT_CPU = 0;
export const COUNTERPART_CPU = 1;
