import { defineRule, type RuleDefinition } from '@armorkit/core';
import { CAPABILITIES, CONTAINERD_DEFAULT_CAPABILITIES, type Capability, capabilityRuleId } from './capabilities.js';
import { rule } from './fragments.js';

// Hardening: capability sets and one rule per capability (reference §1.1.2).
const section = 'hardening';
const both = ['AppArmor', 'BPF'] as const;

function denyCapabilities(capabilities: readonly Capability[]) {
  return {
    apparmor: { lines: capabilities.map((capability) => rule(`capability ${capability},`)) },
    bpf: { capabilities: [...capabilities] },
  };
}

export const capabilitySetRules: RuleDefinition[] = [
  defineRule(
    {
      id: 'disable-cap-all',
      section,
      category: 'capability-set',
      enforcers: [...both],
      description: 'Forbid every capability.',
    },
    { apparmor: { lines: [rule('capability,')] }, bpf: { capabilities: ['all'] } },
  ),
  defineRule(
    {
      id: 'disable-cap-all-except-net-bind-service',
      section,
      category: 'capability-set',
      enforcers: [...both],
      description: 'Forbid every capability except CAP_NET_BIND_SERVICE (binding ports below 1024).',
    },
    denyCapabilities(CAPABILITIES.filter((capability) => capability !== 'net_bind_service')),
  ),
  defineRule(
    {
      id: 'disable-cap-privileged',
      section,
      category: 'capability-set',
      enforcers: [...both],
      description: "Forbid the 27 capabilities outside containerd's default set (what only privileged containers get).",
    },
    denyCapabilities(CAPABILITIES.filter((capability) => !CONTAINERD_DEFAULT_CAPABILITIES.includes(capability))),
  ),
];

export const capabilityRules: RuleDefinition[] = CAPABILITIES.map((capability) =>
  defineRule(
    {
      id: capabilityRuleId(capability),
      section,
      category: 'capability',
      enforcers: [...both],
      description: `Forbid CAP_${capability.toUpperCase()}.`,
    },
    denyCapabilities([capability]),
  ),
);
