import type { FastifyReply, FastifyRequest } from 'fastify';
import type { DemoDirectory } from '../demo-directories.js';
import { formField, sendPage, type DevIdpHttpPolicy, type DevIdpServer } from '../http-server.js';
import { userPickerPage } from '../pages.js';
import { RefusedRequest } from '../refused-request.js';
import { BROWSER_PATH_PREFIXES, PROVIDER_PATH_PREFIXES, type TenantOpenIdProvider } from './tenant-provider.js';

/**
 * Hands the tenant's OpenID Connect routes to its oidc-provider and serves the user picker that
 * oidc-provider sends the browser to when nobody is signed in.
 */
export function registerOidcEndpoints(app: DevIdpServer, directory: DemoDirectory, tenant: TenantOpenIdProvider, policy: DevIdpHttpPolicy): void {
  const mountPath = `/${directory.tenantId}`;
  const handleProviderRequest = tenant.provider.callback();
  const handOver = (request: FastifyRequest, reply: FastifyReply, providerPath: string) => {
    reply.hijack();
    const raw = request.raw;
    const { query } = splitUrl(request.url);
    if (BROWSER_PATH_PREFIXES.some((prefix) => providerPath.startsWith(prefix))) reply.raw.setHeader('content-security-policy', policy.pageCsp);
    // Mounted as Express's app.use(mountPath, …) does it: oidc-provider derives its endpoint URLs from originalUrl minus url.
    Object.assign(raw, { originalUrl: `${mountPath}${providerPath}${query}` });
    raw.url = `${providerPath}${query}`;
    void handleProviderRequest(raw, reply.raw);
  };

  void app.register(async (providerRoutes) => {
    // oidc-provider reads and checks request bodies itself, so they must reach it unread.
    providerRoutes.removeAllContentTypeParsers();
    providerRoutes.addContentTypeParser('*', (_request, _payload, done) => done(null));
    providerRoutes.get(`${new URL(tenant.issuer).pathname}/.well-known/openid-configuration`, (request, reply) =>
      handOver(request, reply, '/.well-known/openid-configuration'),
    );
    for (const prefix of PROVIDER_PATH_PREFIXES) {
      providerRoutes.route({
        method: ['GET', 'POST'],
        url: prefix.endsWith('/') ? `${mountPath}${prefix}*` : `${mountPath}${prefix}`,
        handler: (request, reply) => handOver(request, reply, splitUrl(request.url).path.slice(mountPath.length)),
      });
    }
  });

  const interactionPath = `${tenant.interactionPathPrefix}:uid`;
  app.get<{ Params: { uid: string } }>(interactionPath, async (request, reply) => {
    const interaction = await interactionOf(tenant, request, reply);
    return sendPage(
      reply,
      userPickerPage({ directory, application: String(interaction.params['client_id']), formAction: request.url, interactionId: interaction.uid }),
    );
  });

  app.post<{ Params: { uid: string } }>(interactionPath, async (request, reply) => {
    const interaction = await interactionOf(tenant, request, reply);
    if (formField(request.body, 'interaction') !== interaction.uid) throw new RefusedRequest('the form does not belong to this sign-in');
    const oid = formField(request.body, 'oid');
    if (!directory.users.some((user) => user.oid === oid)) throw new RefusedRequest(`${directory.name} has no user ${oid}`);
    reply.hijack();
    await tenant.provider.interactionFinished(request.raw, reply.raw, { login: { accountId: oid } }, { mergeWithLastSubmission: false });
  });
}

/** The sign-in the browser's interaction cookie names, which must be the one in the URL. */
async function interactionOf(tenant: TenantOpenIdProvider, request: FastifyRequest<{ Params: { uid: string } }>, reply: FastifyReply) {
  let interaction;
  try {
    interaction = await tenant.provider.interactionDetails(request.raw, reply.raw);
  } catch (error) {
    throw new RefusedRequest('this sign-in is unknown or expired; start again at the application', { cause: error });
  }
  if (interaction.uid !== request.params.uid) throw new RefusedRequest('this browser is in another sign-in; start again at the application');
  return interaction;
}

function splitUrl(url: string): { path: string; query: string } {
  const queryStart = url.indexOf('?');
  return queryStart === -1 ? { path: url, query: '' } : { path: url.slice(0, queryStart), query: url.slice(queryStart) };
}
