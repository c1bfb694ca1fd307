export { main } from './main.js';
export { loadEngine, installedDefaults, OFFICIAL_PLUGINS } from './default-engine.js';
export type { CliIO } from './io.js';
