/**
 * An AuditForwarder as a process of its own, for tests that kill it:
 *   node --import @swc-node/register/esm-register libs/audit/src/lib/forwarding/testing/forwarder-process.ts
 * AUDIT_FORWARDER_DATABASE_URL is the application role's URL, AUDIT_FORWARDER_SECRET_KEY the
 * SecretBox key (base64, key id "test"), AUDIT_FORWARDER_OPTIONS optional JSON AuditForwarderOptions
 * (without the SecretBox). Prints "ready" once forwarding; stops cleanly on SIGTERM.
 */
import { SecretBox } from '@veilig/identity';
import { openAppDataSource } from '@veilig/platform-database';
import pino from 'pino';
import { AuditForwarder, type AuditForwarderOptions } from '../audit-forwarder.js';

const url = process.env['AUDIT_FORWARDER_DATABASE_URL'];
const key = process.env['AUDIT_FORWARDER_SECRET_KEY'];
if (!url || !key) throw new Error('AUDIT_FORWARDER_DATABASE_URL and AUDIT_FORWARDER_SECRET_KEY are required');
const options = JSON.parse(process.env['AUDIT_FORWARDER_OPTIONS'] ?? '{}') as Omit<AuditForwarderOptions, 'secretBox' | 'logger'>;

const dataSource = await openAppDataSource({ url, poolSize: 4 });
const forwarder = new AuditForwarder(dataSource, {
  ...options,
  secretBox: new SecretBox({ id: 'test', key: Buffer.from(key, 'base64') }),
  logger: pino({ level: 'warn' }, pino.destination(2)),
});
forwarder.start();
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  void forwarder
    .stop()
    .then(() => dataSource.destroy())
    .then(() => process.exit(0));
});
