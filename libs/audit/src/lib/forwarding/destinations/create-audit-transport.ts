import { join } from 'node:path';
import { auditPayload } from '../formats/audit-payload.js';
import type { AuditTransport } from '../transports/audit-transport.js';
import { HttpsTransport } from '../transports/https-transport.js';
import { JsonLinesFileTransport } from '../transports/json-lines-file-transport.js';
import { SyslogStreamTransport } from '../transports/syslog-stream-transport.js';
import { SyslogUdpTransport } from '../transports/syslog-udp-transport.js';
import { AuditDestinationError, type AuditDestinationDefinition } from './audit-destination-settings.js';

export interface TransportEnvironment {
  /** Syslog HOSTNAME and HEC `host`. */
  readonly hostname: string;
  /** CEF Device Version. */
  readonly productVersion: string;
  /** The one folder file destinations may write in; without it they fail. */
  readonly fileDirectory?: string;
}

/** The transport a checked destination describes. */
export function createAuditTransport(definition: AuditDestinationDefinition, environment: TransportEnvironment): AuditTransport {
  const payload = auditPayload(definition.format, environment);
  const { secrets } = definition;
  switch (definition.kind) {
    case 'syslog-tls': {
      const { host, port, caPem, serverName, clientCertPem, facility, connectTimeoutMs } = definition.settings;
      return new SyslogStreamTransport({
        host,
        port,
        tls: { caPem, serverName, clientCertPem, clientKeyPem: secrets.clientKeyPem },
        payload,
        header: { facility, hostname: environment.hostname },
        connectTimeoutMs,
      });
    }
    case 'syslog-tcp': {
      const { host, port, facility, connectTimeoutMs } = definition.settings;
      return new SyslogStreamTransport({ host, port, payload, header: { facility, hostname: environment.hostname }, connectTimeoutMs });
    }
    case 'syslog-udp': {
      const { host, port, facility, maxMessageBytes } = definition.settings;
      return new SyslogUdpTransport({ host, port, payload, header: { facility, hostname: environment.hostname }, maxMessageBytes });
    }
    case 'https':
      return new HttpsTransport({
        ...definition.settings,
        token: secrets.token,
        clientKeyPem: secrets.clientKeyPem,
        payload,
        hostname: environment.hostname,
      });
    case 'file':
      if (environment.fileDirectory === undefined) {
        throw new AuditDestinationError('file destinations are not enabled here: the forwarder has no fileDirectory');
      }
      return new JsonLinesFileTransport({ path: join(environment.fileDirectory, definition.settings.fileName), payload });
  }
}
