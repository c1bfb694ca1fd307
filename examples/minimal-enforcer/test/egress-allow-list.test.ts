import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { varmorDialect } from '@armorkit/core';
import { PolicyTester } from '@armorkit/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { decide, egressAllowList } from '../src/index.js';

const tester = new PolicyTester({ plugins: [varmorDialect(), egressAllowList()], goldens: new URL('./golden/', import.meta.url) });

const policy = (policyBody: string, name = 'web') => `apiVersion: crd.varmor.org/v1beta1
kind: VarmorPolicy
metadata: {name: ${name}, namespace: shop}
spec:
  target: {kind: Deployment, name: ${name}}
  policy:
    enforcer: NetworkProxy
${policyBody}`;

const WEB = policy(`    mode: EnhanceProtect
    enhanceProtect:
      networkProxyRawRules:
        egress:
          defaultAction: deny
          rules:
          - {qualifiers: [allow], cidr: 10.96.0.0/12, ports: [{port: 443}]}
          - {qualifiers: [deny, audit], ip: 169.254.169.254}
          - {qualifiers: [allow], ip: "2001:db8::1", ports: [{port: 8000, endPort: 8099}]}
`);

tester.run('egress allow-list', {
  valid: [
    { name: 'EnhanceProtect rules', yaml: WEB, golden: 'web.egress.json' },
    { name: 'AlwaysAllow', yaml: policy('    mode: AlwaysAllow\n', 'open'), golden: 'open.egress.json' },
  ],
  invalid: [
    {
      name: 'httpRules are refused at compile, at the rule',
      yaml: WEB.replace('          rules:\n', '          httpRules:\n          - {qualifiers: [allow], match: {hosts: [shop.example]}}\n          rules:\n'),
      stage: 'compile',
      errors: [{ code: 'egress-list-http-rule', pointer: '/spec/policy/enhanceProtect/networkProxyRawRules/egress/httpRules/0', line: 14, message: 'address and port only' }],
    },
    { name: 'RuntimeDefault has no allow-list', yaml: policy('    mode: RuntimeDefault\n'), stage: 'compile', errors: [{ code: 'egress-list-build-unsupported', pointer: '/spec/policy/mode' }] },
    {
      name: 'ip and cidr together are refused by the schema',
      yaml: WEB.replace('ip: 169.254.169.254', 'ip: 169.254.169.254, cidr: 169.254.0.0/16'),
      stage: 'parse',
      errors: [{ code: 'constraint', message: 'mutually exclusive' }],
    },
  ],
});

describe('decide', () => {
  const list = tester.compile(WEB, 'NetworkProxy').data;

  it('takes the first entry that matches, else the default action', () => {
    expect(decide(list, '10.100.3.4', 443)).toEqual({ allowed: true, audited: false, entry: 0 });
    expect(decide(list, '10.100.3.4', 80)).toEqual({ allowed: false, audited: false });
    expect(decide(list, '10.112.0.1', 443)).toEqual({ allowed: false, audited: false });
    expect(decide(list, '169.254.169.254', 80)).toEqual({ allowed: false, audited: true, entry: 1 });
    expect(decide(list, '2001:db8::1', 8050)).toEqual({ allowed: true, audited: false, entry: 2 });
    expect(decide(list, '2001:db8::1', 8100)).toEqual({ allowed: false, audited: false });
    expect(decide(list, 'not-an-address', 443)).toEqual({ allowed: false, audited: true });
  });

  it('lets denied connections through, audited, when violations are allowed', () => {
    const reportOnly = tester.compile(WEB.replace('    enhanceProtect:\n', '    enhanceProtect:\n      allowViolations: true\n      auditViolations: true\n'), 'NetworkProxy').data;
    expect(reportOnly.enforce).toBe(false);
    expect(decide(reportOnly, '10.100.3.4', 80)).toEqual({ allowed: true, audited: true });
  });
});

describe('load', () => {
  const directory = mkdtempSync(join(tmpdir(), 'egress-list-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('writes <directory>/<profileName>.egress.json whole, replacing the previous one', async () => {
    const artifact = tester.compile(WEB, 'NetworkProxy');
    expect(await tester.engine.load(artifact, { kind: 'host', directory })).toMatchObject({ ok: true, value: { summary: `wrote ${join(directory, 'varmor-shop-web.egress.json')}` } });
    expect(readFileSync(join(directory, 'varmor-shop-web.egress.json'), 'utf8')).toBe(artifact.files[0]!.content);
    expect(readdirSync(directory)).toEqual(['varmor-shop-web.egress.json']);
  });

  it('needs a directory, and says so', async () => {
    const artifact = tester.compile(WEB, 'NetworkProxy');
    expect(await tester.engine.load(artifact)).toMatchObject({ ok: false, errors: [{ code: 'egress-list-directory-missing' }] });
  });
});
