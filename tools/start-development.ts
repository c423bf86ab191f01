import { serve } from '../apps/api/src/serve.js';
import { startDemoEnvironment } from './dev/demo-environment.js';

// `npm start`: the kit plus the development IdP and the demo tenants wired to it.
serve(async (api, config) => {
  const demo = await startDemoEnvironment(config, api.logger, config.devIdpPort);
  return { lines: demo.lines, close: () => demo.close() };
});
