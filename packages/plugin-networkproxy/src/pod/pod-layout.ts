// The names and paths of the proxy's part of a pod. vArmor's names are kept where users' tooling reads them (the
// annotation, the containers, the volumes, the application's CA bundle path); the proxy's own paths are armorkit's.

/** The pod annotation: `localhost/<profile>` once mutated, `unconfined` to opt the pod out. */
export const PROXY_ANNOTATION = 'pod.networkproxy.security.beta.varmor.org';

export const INIT_CONTAINER = 'varmor-network-proxy-init';
/** With MITM: the init container that copies the proxy's secrets into PRIVATE_VOLUME (src/pod/private-files.ts). */
export const SECRETS_INIT_CONTAINER = 'varmor-network-proxy-secrets';
export const SIDECAR = 'varmor-network-proxy';

export const CONFIG_VOLUME = 'varmor-network-proxy-config';
export const MITM_TLS_VOLUME = 'varmor-network-proxy-mitm-tls';
export const MITM_CA_BUNDLE_VOLUME = 'varmor-network-proxy-mitm-ca-bundle';
/** The memory-backed emptyDir holding the proxy's copies of its secrets (mounted by the sidecar and SECRETS_INIT_CONTAINER only). */
export const PRIVATE_VOLUME = 'varmor-network-proxy-private';
/** The Secret volume of the n-th Secret that header mutations refer to (by sorted name). */
export const headerSecretVolume = (index: number): string => `varmor-network-proxy-secret-${index}`;
/** Secret volumes' files: read by their owner (root) only, so by the secrets init container and nobody else. */
export const SECRET_FILE_MODE = 0o400;

/** Where the sidecar reads the configuration `armorkit compile -e networkproxy` writes. */
export const CONFIG_DIRECTORY = '/etc/armorkit/networkproxy';
/** Where SECRETS_INIT_CONTAINER reads the CA from the Secret (MITM_TLS_VOLUME). */
export const MITM_TLS_DIRECTORY = '/etc/armorkit/networkproxy-tls';
/** Where SECRETS_INIT_CONTAINER reads Secret `<name>` of a header mutation's secretRef: `<this>/<name>/<key>`. */
export const HEADER_SECRETS_SOURCE_DIRECTORY = '/etc/armorkit/networkproxy-secret-sources';
/** PRIVATE_VOLUME's mount: `tls/ca.crt`, `tls/ca.key` and `secrets/<name>/<key>`, the proxy's UID's alone. */
export const PRIVATE_DIRECTORY = '/etc/armorkit/networkproxy-private';
/** The sidecar's `--secrets-dir`. */
export const PRIVATE_SECRETS_DIRECTORY = `${PRIVATE_DIRECTORY}/secrets`;
/** Where the application containers find the CA bundle that trusts the policy's MITM CA (vArmor's path). */
export const CA_BUNDLE_DIRECTORY = '/etc/varmor/ca-bundle';
export const CA_BUNDLE_FILE = `${CA_BUNDLE_DIRECTORY}/ca-certificates.crt`;
/** The variables common TLS stacks (OpenSSL, Python requests, Node.js, curl) read a CA bundle from. */
export const CA_BUNDLE_VARIABLES = ['SSL_CERT_FILE', 'REQUESTS_CA_BUNDLE', 'NODE_EXTRA_CA_CERTS', 'CURL_CA_BUNDLE'] as const;

/**
 * The Secret `<profile>`'s MITM keys (vArmor's names), as the controller writes them, and the files they become: the
 * proxy signs a leaf for each intercepted name with the CA (vArmor's Envoy serves one pre-signed leaf instead, so its
 * `mitm-leaf.*` keys have no use here).
 */
export const MITM_TLS_ITEMS = [
  { key: 'mitm-ca.crt', path: 'ca.crt' },
  { key: 'mitm-ca.key', path: 'ca.key' },
] as const;
/** Where the proxy reads the CA when the configuration's `mitm.ca` does not say: its private copy in the pod. */
export const MITM_CA_FILES = { certificateFile: `${PRIVATE_DIRECTORY}/tls/ca.crt`, keyFile: `${PRIVATE_DIRECTORY}/tls/ca.key` } as const;
export const MITM_CA_BUNDLE_ITEMS = [{ key: 'mitm-ca-bundle.crt', path: 'ca-certificates.crt' }] as const;
