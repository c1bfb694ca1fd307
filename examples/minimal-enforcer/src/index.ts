export { egressAllowList, egressAllowList as default } from './plugin.js';
export type { EgressAllowList, EgressEntry } from './allow-list.js';
export { decide, type EgressDecision } from './decide.js';
export { egressListErrors } from './errors.js';
