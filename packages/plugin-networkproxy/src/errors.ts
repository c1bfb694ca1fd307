import { defineErrors } from '@armorkit/core';

/** The codes the NetworkProxy plugin raises; schema problems of the proxy configuration use core's codes. */
export const networkProxyErrors = defineErrors('@armorkit/plugin-networkproxy', {
  'networkproxy-invalid-host': { description: 'A host of an httpRule is not a DNS name, an IP address, `*` or `*.suffix` (spaces, quotes, slashes and the like cannot be matched and are refused).' },
  'networkproxy-invalid-method': { description: 'A method of an httpRule is not an HTTP token (letters, digits and a few symbols, no spaces); no request could carry it.' },
  'networkproxy-invalid-path': { description: 'A path of an httpRule does not start with `/` or holds characters a request path cannot (spaces, quotes, controls).' },
  'networkproxy-invalid-header': { description: 'A header mutation has a name that is not an HTTP token or that frames the message or steers the connection (Host, Content-Length, Transfer-Encoding, Connection, Keep-Alive, Proxy-Connection, TE, Trailer, Upgrade), or a value (inline or from its Secret) with a control character such as CR or LF.' },
  'networkproxy-mitm-cidr': { description: 'A mitm domain is a CIDR wider than one address; TLS interception takes /32 or /128 only (vArmor refuses it too).' },
  'networkproxy-rule-matches-nothing': {
    description: 'An egress rule has no destination and no port (an L4 rule) or an empty match (an httpRule): vArmor renders no permission for it, so it never matches; armorkit does the same.',
    severity: 'warning',
  },
  'networkproxy-path-on-passthrough': {
    description: 'An httpRule matches paths or methods for a host whose TLS is not intercepted (not in mitm.domains): on a TLS passthrough connection only the server name and port can be seen, so there the rule allows (or denies) every request to that host, as in vArmor.',
    severity: 'warning',
  },
  'networkproxy-secret-unresolved': { description: 'A header mutation\'s secretRef could not be read from the local secret source (a file under the secrets directory, or an environment variable).' },
  'networkproxy-events-unreadable': { description: 'The proxy\'s events file (what `armorkit audit --source networkproxy` reads) does not exist or cannot be read: the proxy\'s configuration must write its events (audit.events) to that file.' },
  'networkproxy-config-unreadable': { description: 'The proxy configuration file given to `armorkit proxy --config` (or read again on reload) does not exist or cannot be read; on reload the proxy keeps the table it has.' },
  'networkproxy-pod-kept': {
    description: 'The pod already has an egress proxy of another profile (its `pod.networkproxy.security.beta.varmor.org` annotation names it); the webhook leaves its proxy as it is, so this policy\'s egress rules do not apply to the pod.',
    severity: 'warning',
  },
  'networkproxy-invalid-image': { description: 'The `image` or `initImage` option of `networkproxy()` is not a container image reference (empty, or with spaces or control characters).' },
  'networkproxy-mitm-ca-invalid': { description: 'The MITM CA (mitm.ca in the proxy configuration) cannot sign leaves: the certificate is not a CA allowed to sign certificates, has expired, or its key is not ECDSA P-256 or not the certificate\'s.' },
  'networkproxy-mitm-ca-unreadable': { description: 'The MITM CA\'s certificate or key file (mitm.ca) cannot be read, or a new CA cannot be written where it was asked to go.' },
  'networkproxy-mitm-ca-exists': { description: 'A MITM CA is already in the directory a new one was to be written to; it is kept (clients trust it). Remove it first to make a new one.' },
  'networkproxy-mitm-trust-unreadable': { description: 'A file of mitm.upstreamCaFiles (extra CAs the proxy trusts for upstream servers) cannot be read or holds no PEM certificate.' },
  'networkproxy-capture-failed': { description: 'The capture rules could not be applied to or removed from the network namespace (iptables-restore failed, or the namespace does not exist); the previous rules stay.' },
  'networkproxy-run-unavailable': { description: '`armorkit run` cannot confine a command with NetworkProxy here: it needs root (a network namespace, iptables), `ip`, `iptables`, `nsenter` and `setpriv`, and the proxy helper built (`pnpm exec tsc -b packages/plugin-networkproxy`).' },
  'networkproxy-run-failed': { description: 'Setting up the run\'s network (its namespace, veth pair, NAT rules, capture rules) or starting its proxy failed; what was already set up has been removed again.' },
});

export type NetworkProxyErrorCode = keyof typeof networkProxyErrors.codes;
