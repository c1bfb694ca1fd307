import { varmorDialect } from '@armorkit/core';
import { PolicyTester } from '@armorkit/core/testing';
import { networkproxy } from '../../src/plugin.js';

/** The NetworkProxy plugin behind the vArmor dialect, its golden proxy configurations in test/__golden__. */
export function networkProxyTester(): PolicyTester {
  return new PolicyTester({ plugins: [varmorDialect(), networkproxy()], goldens: new URL('../__golden__/', import.meta.url) });
}

/** A VarmorPolicy using NetworkProxy in EnhanceProtect with `egress` (YAML lines, indented under `egress:`). */
export function enhanceProtectPolicy(egress: string, extra = ''): string {
  const indented = egress
    .trim()
    .split('\n')
    .map((line) => `          ${line}`)
    .join('\n');
  return `apiVersion: crd.varmor.org/v1beta1
kind: VarmorPolicy
metadata: { name: np-test, namespace: demo }
spec:
  target: { kind: Deployment, selector: { matchLabels: { app: demo } } }
  policy:
    enforcer: NetworkProxy
    mode: EnhanceProtect
${extra}    enhanceProtect:
      networkProxyRawRules:
        egress:
${indented}
`;
}
