import { defineRulePack, readPackageMeta, type RulePack } from '@armorkit/core';
import { capabilityRules, capabilitySetRules } from './capability.js';
import { escapePatternRules } from './escape-pattern.js';
import { exploitVectorRules } from './exploit-vectors.js';
import { informationLeakRules } from './information-leak.js';
import { networkRules } from './network.js';
import { sensitiveOperationRules } from './sensitive-operations.js';
import { vulnerabilityMitigationRules } from './vulnerability-mitigation.js';

/** vArmor's built-in rule catalogue (reference §1), in the order of the vArmor documentation. */
export const builtinRules: RulePack = defineRulePack(readPackageMeta(import.meta.url), [
  ...escapePatternRules,
  ...capabilitySetRules,
  ...capabilityRules,
  ...exploitVectorRules,
  ...informationLeakRules,
  ...sensitiveOperationRules,
  ...networkRules,
  ...vulnerabilityMitigationRules,
]);
