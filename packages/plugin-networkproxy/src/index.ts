// @armorkit/plugin-networkproxy: the NetworkProxy enforcer (docs/networkproxy.md).
export type { Decider, DecidingRule, Decision, Destination, TrafficFacts } from './decision/facts.js';
