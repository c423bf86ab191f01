// oidc-provider ships no type declarations; these describe the part of its v9 API the test IdP uses.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export interface AccountClaims {
    readonly sub: string;
    readonly [claim: string]: unknown;
  }

  export interface Account {
    readonly accountId: string;
    claims(use: string, scope: string): AccountClaims | Promise<AccountClaims>;
  }

  export interface Client {
    readonly clientId: string;
  }

  export interface Session {
    readonly accountId?: string;
    grantIdFor(clientId: string): string | undefined;
  }

  export interface OidcContext {
    readonly provider: Provider;
    readonly client?: Client;
    readonly session?: Session;
    urlFor(route: string): string;
  }

  export interface KoaContextWithOIDC {
    readonly oidc: OidcContext;
    body: unknown;
    type: string;
  }

  export interface Interaction {
    readonly uid: string;
    readonly prompt: { readonly name: string; readonly reasons: readonly string[] };
    readonly params: Readonly<Record<string, unknown>>;
  }

  export type InteractionResults =
    | { readonly login: { readonly accountId: string } }
    | { readonly error: string; readonly error_description?: string };

  export class Grant {
    constructor(properties: { accountId: string; clientId: string });
    addOIDCScope(scope: string): void;
    save(): Promise<string>;
    static find(id: string): Promise<Grant | undefined>;
  }

  export interface Configuration {
    readonly clients?: readonly Readonly<Record<string, unknown>>[];
    readonly jwks?: { readonly keys: readonly object[] };
    readonly cookies?: { readonly keys: readonly string[] };
    readonly claims?: Readonly<Record<string, readonly string[] | null>>;
    readonly conformIdTokenClaims?: boolean;
    readonly responseTypes?: readonly string[];
    readonly ttl?: Readonly<Record<string, number>>;
    readonly enabledJWA?: Readonly<Record<string, readonly string[]>>;
    readonly pkce?: { required(ctx: KoaContextWithOIDC, client: Client): boolean };
    readonly features?: {
      readonly devInteractions?: { readonly enabled: boolean };
      readonly backchannelLogout?: { readonly enabled: boolean };
      readonly rpInitiatedLogout?: {
        readonly enabled: boolean;
        logoutSource?(ctx: KoaContextWithOIDC, form: string): void | Promise<void>;
        postLogoutSuccessSource?(ctx: KoaContextWithOIDC): void | Promise<void>;
      };
    };
    readonly interactions?: { url(ctx: KoaContextWithOIDC, interaction: Interaction): string | Promise<string> };
    findAccount?(ctx: KoaContextWithOIDC, id: string): Account | undefined | Promise<Account | undefined>;
    loadExistingGrant?(ctx: KoaContextWithOIDC): Promise<Grant | undefined>;
    assertJwtClientAuthClaimsAndHeader?(
      ctx: KoaContextWithOIDC,
      claims: Readonly<Record<string, unknown>>,
      header: Readonly<Record<string, unknown>>,
      client: Client,
    ): void | Promise<void>;
    renderError?(ctx: KoaContextWithOIDC, out: Readonly<Record<string, unknown>>, error: Error): void | Promise<void>;
  }

  export class Provider {
    constructor(issuer: string, configuration: Configuration);
    readonly issuer: string;
    readonly Grant: typeof Grant;
    callback(): (request: IncomingMessage, response: ServerResponse) => Promise<void>;
    interactionDetails(request: IncomingMessage, response: ServerResponse): Promise<Interaction>;
    interactionFinished(
      request: IncomingMessage,
      response: ServerResponse,
      result: InteractionResults,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<void>;
  }

  export const errors: {
    readonly InvalidClientAuth: new (detail: string) => Error;
  };
}
