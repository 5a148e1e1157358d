// piscina worker entry for sweep tasks. On Node 20 a loader registered in the
// main thread does not follow into workers (see src/core/worker-loader.ts),
// so this plain .mjs registers tsx's ESM hooks here, then loads the .ts task
// module; piscina awaits this module's top-level await and calls the default.
import { register } from 'tsx/esm/api';

register();
const task = await import('./sweep-task.ts');

export default task.default;
