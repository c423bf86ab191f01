import { serveBenchmarkTarget } from './serve-target.js';
import { startVeiligApi } from './veilig-api-target.js';

/** The kit as `npm start` runs it; see startVeiligApi. */
serveBenchmarkTarget((settings) => startVeiligApi(settings));
