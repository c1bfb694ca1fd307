// @armorkit/plugin-networkproxy/decision: the decision table a policy compiles to, and the decider the proxy asks
// (pure, synchronous), with the way requests' names and paths are read before rules see them.
export type { Decider, DecidingRule, Decision, Destination, TrafficFacts } from '../decision/facts.js';
export { createDecider, type DeciderOptions } from '../decision/decider.js';
export { normalizeRequestPath, requestHostName } from '../decision/request.js';
export { decisionTableSchema, type DecisionTable, type HttpRule, type L4Rule, type PathMatch, type PortInterval } from '../decision/table.js';
