import { loadConfig } from '@veilig/platform-config';
import pino from 'pino';
import { startApi, type StartApiOptions } from '../../apps/api/src/start-api.js';
import type { ServerSettings } from './protocol.js';
import type { StartedServer } from './serve-target.js';

/**
 * The kit exactly as `npm start` runs it (TLS policy, security headers, Host check, request
 * id, one JSON access-log line per request), except that logs go to a file instead of stdout:
 * asynchronous writes to a real file cost what production pays, where /dev/null would hide it.
 * `modules` are added as a fork adds its feature modules, for targets that need a route of
 * their own next to the kit's.
 */
export async function startVeiligApi(settings: ServerSettings, modules: StartApiOptions['modules'] = []): Promise<StartedServer> {
  const logDestination = pino.destination({ dest: settings.logFile, sync: false });
  const config = loadConfig(settings.veiligEnv);
  const api = await startApi(config, { logDestination, modules });
  return {
    // The kit names its loopback origin "localhost"; load the address it is bound to, as the
    // other servers are loaded, so none pays for a name lookup or an extra SNI extension.
    origin: `https://${config.http.host}:${new URL(api.url).port}`,
    close: async () => {
      await api.close();
      await new Promise((resolve) => {
        logDestination.once('close', resolve);
        logDestination.end();
      });
    },
  };
}
