// The MITM part of the Secret `<profile>` the pod mounts (src/pod/pod-layout.ts), under vArmor's key names: the
// proxy's CA and the bundle the applications trust (the CA after Node's copy of Mozilla's roots, so they still
// reach servers the proxy does not intercept).
import { rootCertificates } from 'node:tls';
import type { MitmCaPem } from './mitm-ca.js';

export function mitmSecretData(ca: MitmCaPem): Record<'mitm-ca.crt' | 'mitm-ca.key' | 'mitm-ca-bundle.crt', string> {
  return {
    'mitm-ca.crt': ca.certificate,
    'mitm-ca.key': ca.privateKey,
    'mitm-ca-bundle.crt': `${[...rootCertificates, ca.certificate.trim()].join('\n')}\n`,
  };
}
