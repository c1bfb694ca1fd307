// @armorkit/plugin-networkproxy/pki: the policy's MITM CA (made, written, read back and checked) and the Secret data
// a pod mounts it from. The leaves it signs per intercepted name are the proxy's business.
export { generateMitmCa, parseMitmCa, type MitmCa, type MitmCaPem } from '../pki/mitm-ca.js';
export { readMitmCaFiles, writeMitmCaFiles, type MitmCaFiles } from '../pki/ca-files.js';
export { mitmSecretData } from '../pki/secret-data.js';
