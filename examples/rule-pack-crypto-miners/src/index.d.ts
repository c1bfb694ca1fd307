import type { RuleDefinition, RulePack } from '@armorkit/core';
export declare const blockCryptoMiners: RuleDefinition;
export declare const blockStratumPorts: RuleDefinition;
declare const pack: RulePack;
export default pack;
