// @armorkit/plugin-kubearmor/parse: a document as a KubeArmor policy (CRD check, defaults, inheritance), the parsed
// policy the dialect hands on in PolicyIR.dialectPolicy.kubearmor, and the selectors.

// Parsing
export { parseKubeArmorDocument, parseKubeArmorPolicy } from '../dialect/parse-document.js';
export { kubeArmorPolicyIR, kubeArmorProfileName, kubeArmorSetProfileName, type KubeArmorDialectOptions } from '../dialect/policy-ir.js';
export { inheritAlert } from '../parse/resolve-policy.js';
export { isKubeArmorDocument, validateKubeArmorDocument, KUBEARMOR_KINDS } from '../parse/validate-document.js';
// The types of the parsed policy are at the package's root.
export { CAPABILITIES, NETWORK_PROTOCOLS } from '../parse/parsed-policy.js';

// Selectors: which pods, containers and nodes a policy applies to
export { selectsContainer, selectsPod, type PodIdentity } from '../selectors/pod-selection.js';
export { HOSTNAME_LABEL, selectsNode, type NodeIdentity } from '../selectors/node-selection.js';
export { CONTAINER_NAME_LABEL } from '../parse/resolve-policy.js';
export { annotatedPostures, POSTURE_ANNOTATIONS } from '../semantics/posture.js';
