import { defineErrors } from '@armorkit/core';

/**
 * The codes the KubeArmor dialect raises beyond core's schema codes (unknown-field, required, invalid-value,
 * invalid-type), which it uses for everything the CRDs themselves refuse.
 */
export const kubearmorErrors = defineErrors('@armorkit/plugin-kubearmor', {
  'kubearmor/unknown-protocol': {
    description:
      'A network protocol (or an item of a comma list) that names no protocol: the CRD\'s pattern is anchored only at its end, so the API server accepts "xtcp", but KubeArmor has no such protocol.',
  },
  'kubearmor/unknown-capability': {
    description:
      'A capability (or an item of a comma list) that names no capability: the CRD\'s pattern accepts "cap_net_raw" (unanchored start), but the name is written without cap_.',
  },
  'kubearmor/empty-domain': { description: 'A matchDNSQueries domain list with an empty item ("a.com,,b.com").' },
  'kubearmor/unsupported-kind': {
    description: 'A KubeArmorNetworkPolicy (nftables) is checked against its CRD but armorkit does not enforce it; the message says so.',
  },
  // The semantics (src/semantics): what the enforcers can and cannot take
  'kubearmor/field-unsupported': {
    description: 'A KubeArmor field no armorkit enforcer can enforce (pts: false, allowedArgs, matchDNSQueries, presets, device); the policy is refused rather than enforced in part.',
  },
  'kubearmor/rule-unenforceable': {
    description: 'A KubeArmor rule none of the chosen enforcers can enforce exactly; the message says why for each.',
  },
  'kubearmor/enforcer-left-out': {
    description: "An enforcer was left out of a KubeArmor policy's enforcers because it cannot enforce one of its rules exactly; the message says which rule and why.",
    severity: 'warning',
  },
  'kubearmor/field-ignored': {
    description: 'A field KubeArmor itself ignores (an Allow rule without fromSource in a host policy); armorkit ignores it too.',
    severity: 'warning',
  },
  'kubearmor/policies-disjoint': {
    description: 'Policies given to apply together (armorkit run with several --policy) cannot select one container: a host policy beside container policies, two namespaces, one label with two values, no container in common.',
  },
  'kubearmor/alerts-differ': {
    description: "Enforcement is exact but the events differ from KubeArmor's alerts (the audit posture under AppArmor).",
    severity: 'warning',
  },
});
