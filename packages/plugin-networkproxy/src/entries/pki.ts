// @armorkit/plugin-networkproxy/pki: the policy's MITM CA (made, written, read back and checked), the leaves it signs
// per intercepted name, and the Secret data a pod mounts it from.
export { CA_SUBJECT, CA_VALIDITY_DAYS, generateMitmCa, parseMitmCa, type MitmCa, type MitmCaPem } from '../pki/mitm-ca.js';
export { CA_CERTIFICATE_FILE, CA_KEY_FILE, readMitmCaFiles, writeMitmCaFiles, type MitmCaFiles } from '../pki/ca-files.js';
export { DEFAULT_LEAF_OPTIONS, LeafCertificates, type IssuedLeaf, type LeafOptions } from '../pki/leaf-certificates.js';
export { mitmSecretData } from '../pki/secret-data.js';
