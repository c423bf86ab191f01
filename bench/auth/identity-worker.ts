import { progress } from '../benchmark.js';
import { sendToParent } from '../shared/protocol.js';
import { OidcLoginMeasurement } from './oidc-measurement.js';
import { BENCHMARK_NAME, type FromIdentityWorker, type ToIdentityWorker } from './protocol.js';
import { measureSaml } from './saml-measurement.js';

/**
 * The service-provider side of the sign-in measurements, in a process pinned to a core of its
 * own: the kit's SAML service provider, and its OIDC relying party while the development IdP
 * runs on the other core. A failure ends the process with its stack on stderr, which the bench
 * process sees as the child exiting while it waited for a reply.
 */
let oidc: OidcLoginMeasurement | undefined;

async function handle(message: ToIdentityWorker): Promise<FromIdentityWorker | undefined> {
  switch (message.type) {
    case 'saml':
      return { type: 'saml-measured', result: await measureSaml(message.plan, (line) => progress(BENCHMARK_NAME, line)) };
    case 'oidc-connect':
      oidc = new OidcLoginMeasurement(message.settings);
      return { type: 'oidc-connected' };
    case 'oidc-prepare':
      await connected().prepare(message.logins, message.concurrency);
      return { type: 'oidc-prepared' };
    case 'oidc-exchange':
      await connected().exchange(message.concurrency, message.measured);
      return { type: 'oidc-exchanged' };
    case 'oidc-finish':
      return { type: 'oidc-measured', result: await connected().finish(message.baselineSeconds) };
    case 'stop':
      process.exit(0);
  }
}

function connected(): OidcLoginMeasurement {
  if (!oidc) throw new Error('identity worker: OIDC step before oidc-connect');
  return oidc;
}

process.on('disconnect', () => process.exit(0));
process.on('message', (message: ToIdentityWorker) => {
  handle(message).then(
    (reply) => {
      if (reply) sendToParent(reply);
    },
    (error: unknown) => {
      process.stderr.write(`identity worker: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
});
