import { describe, expect, it } from 'vitest';
import { enhanceProtectPolicy, networkProxyTester } from './support/tester.js';

const tester = networkProxyTester();
const EGRESS = '/spec/policy/enhanceProtect/networkProxyRawRules/egress';

function explained(yaml: string) {
  const { plan } = tester.engine.resolve(tester.parse(yaml)[0]!);
  const result = tester.engine.explain(plan!);
  expect(result.ok).toBe(true);
  return result.ok ? result.value : [];
}

describe('explain through the engine', () => {
  it('lists the decision table in evaluation order: deny rules, allow rules, the default', () => {
    const [proxy] = explained(
      enhanceProtectPolicy(`defaultAction: deny
rules:
  - { qualifiers: [allow], cidr: 10.0.0.0/8, ports: [{ port: 443 }, { port: 8000, endPort: 8080 }] }
  - { qualifiers: [deny, audit], ip: 10.0.0.9, description: the database }
httpRules:
  - { qualifiers: [allow], match: { hosts: ["*"], methods: [GET], paths: [{ prefix: /public/ }] } }
  - { qualifiers: [], match: { hosts: [bad.test] } }`),
    );
    expect(proxy?.enforcer).toBe('NetworkProxy');
    expect(proxy?.explanation.entries).toEqual([
      { text: 'deny, audited: TCP, TLS and HTTP to 10.0.0.9/32 (the database)', pointer: `${EGRESS}/rules/1` },
      { text: 'deny, audited: HTTP to bad.test; TLS passthrough by server name', pointer: `${EGRESS}/httpRules/1` },
      { text: 'allow: TCP, TLS and HTTP to 10.0.0.0/8 port 443, 8000-8080', pointer: `${EGRESS}/rules/0` },
      { text: 'allow: HTTP GET to any host path /public/*; TLS passthrough by server name (method and path not seen there)', pointer: `${EGRESS}/httpRules/0` },
      { text: 'otherwise deny, audited' },
      { text: 'an allow granted by a name (server name, Host) holds only for an address the name resolves to (spoofing protection)' },
    ]);
  });

  it('says what a block list does', () => {
    const [proxy] = explained(enhanceProtectPolicy('defaultAction: allow\nrules: [{ qualifiers: [deny], ports: [{ port: 25 }] }, { qualifiers: [audit], ip: "fd00::1" }]'));
    expect(proxy?.explanation.entries.map((entry) => entry.text)).toEqual([
      'deny: TCP, TLS and HTTP to any address port 25',
      'allow (as the default does), audited: TCP, TLS and HTTP to fd00::1/128',
      'otherwise allow',
    ]);
  });
});
