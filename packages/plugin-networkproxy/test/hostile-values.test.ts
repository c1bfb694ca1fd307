import { errorsOf } from '@armorkit/core';
import { describe, expect, it } from 'vitest';
import { formatProxyConfig, parseProxyConfig } from '../src/config/proxy-config.js';
import { enhanceProtectPolicy, networkProxyTester } from './support/tester.js';

const tester = networkProxyTester();
const codes = (yaml: string) => errorsOf(tester.compileResult(yaml, 'NetworkProxy')).map((error) => `${error.code} ${error.pointer}`);
const RULE = '/spec/policy/enhanceProtect/networkProxyRawRules/egress/httpRules/0/match';

describe('values that cannot reach the decision table', () => {
  it('a host with a newline, a quote or a backslash is refused by the policy schema', () => {
    expect(codes(enhanceProtectPolicy('defaultAction: deny\nhttpRules: [{ qualifiers: [allow], match: { hosts: ["a.test\\nHost: b.test"] } }]'))).toEqual([`invalid-value ${RULE}/hosts/0`]);
    expect(codes(enhanceProtectPolicy('defaultAction: deny\nhttpRules: [{ qualifiers: [allow], match: { hosts: ["a\\\\b"] } }]'))).toEqual([`invalid-value ${RULE}/hosts/0`]);
  });

  it('a host with a space, a slash or a colon port, a method with a space, a path without "/" or with a space are refused at compile', () => {
    const egress = `defaultAction: deny
httpRules:
  - qualifiers: [allow]
    match:
      hosts: ["a test", "a.test/x", "a.test:443", "*", "*.ok.test", "[fd00::1]", "ok.test."]
      methods: ["GE T", "GET", "M-SEARCH"]
      paths: [{ exact: "no-slash" }, { prefix: "/a b" }, { prefix: "/ok/%20" }]`;
    expect(codes(enhanceProtectPolicy(egress))).toEqual([
      `networkproxy-invalid-host ${RULE}/hosts/0`,
      `networkproxy-invalid-host ${RULE}/hosts/1`,
      `networkproxy-invalid-host ${RULE}/hosts/2`,
      `networkproxy-invalid-method ${RULE}/methods/0`,
      `networkproxy-invalid-path ${RULE}/paths/0/exact`,
      `networkproxy-invalid-path ${RULE}/paths/1/prefix`,
    ]);
  });

  it('a header name that is not a token, a value with CR LF, a MITM CIDR wider than one address are refused', () => {
    const extra = `    networkProxyConfig:
      mitm:
        domains: [api.test, 10.0.0.0/24]
        headerMutations:
          - domain: api.test
            headers:
              - { name: "X Bad", value: ok }
              - { name: X-Inject, value: "a\\r\\nX-Evil: 1" }
`;
    expect(codes(enhanceProtectPolicy('defaultAction: allow', extra))).toEqual([
      'networkproxy-mitm-cidr /spec/policy/networkProxyConfig/mitm/domains/1',
      'networkproxy-invalid-header /spec/policy/networkProxyConfig/mitm/headerMutations/0/headers/0/name',
      'networkproxy-invalid-header /spec/policy/networkProxyConfig/mitm/headerMutations/0/headers/1/value',
    ]);
  });

  it('a proxyUID that no owner match can take is refused, not written', () => {
    expect(codes(enhanceProtectPolicy('defaultAction: allow', '    networkProxyConfig: { proxyUID: 4294967295 }\n'))).toEqual(['invalid-value /spec/policy/networkProxyConfig/proxyUID']);
  });

  it('rules that match nothing in vArmor are warned about and left out', () => {
    const out = tester.compileResult(enhanceProtectPolicy('defaultAction: deny\nrules: [{ qualifiers: [deny] }]\nhttpRules: [{ qualifiers: [deny], match: {} }]'), 'NetworkProxy');
    expect(out.ok && out.value.data.decisions).toEqual({ defaultAction: 'deny', l4Rules: [], httpRules: [] });
    expect(out.warnings.map((warning) => `${warning.code} ${warning.pointer}`)).toEqual([
      'networkproxy-rule-matches-nothing /spec/policy/enhanceProtect/networkProxyRawRules/egress/rules/0',
      'networkproxy-rule-matches-nothing /spec/policy/enhanceProtect/networkProxyRawRules/egress/httpRules/0/match',
    ]);
  });
});

describe('paths and methods on TLS passthrough', () => {
  it('are warned about for hosts whose TLS is not intercepted, and only for those', () => {
    const egress = `defaultAction: deny
httpRules:
  - { qualifiers: [allow], match: { hosts: [api.test, a.wild.test], methods: [GET] } }
  - { qualifiers: [deny], match: { hosts: ["*.wild.test", open.test], paths: [{ prefix: /admin }] } }
  - { qualifiers: [allow], match: { hosts: [open.test] } }
  - { qualifiers: [allow], match: { hosts: ["1.1.1.1"], paths: [{ exact: /x }] } }`;
    const extra = '    networkProxyConfig: { mitm: { domains: [api.test, "*.wild.test", 1.1.1.1/32] } }\n';
    const out = tester.compileResult(enhanceProtectPolicy(egress, extra), 'NetworkProxy');
    expect(out.ok).toBe(true);
    expect(out.warnings.map((warning) => `${warning.code} ${warning.pointer}: ${warning.message}`)).toEqual([
      `networkproxy-path-on-passthrough ${RULE.replace('httpRules/0', 'httpRules/1')}: TLS to open.test is not intercepted (mitm.domains): there this rule matches by server name and port alone, so it denies every request to it whatever the path or method`,
    ]);
    const noMitm = tester.compileResult(enhanceProtectPolicy(egress), 'NetworkProxy');
    expect(noMitm.warnings.map((warning) => warning.pointer)).toEqual([0, 1, 3].map((index) => RULE.replace('httpRules/0', `httpRules/${index}`)));
  });
});

describe('a proxy configuration file edited by hand', () => {
  const compiled = tester.compile(enhanceProtectPolicy('defaultAction: deny\nhttpRules: [{ qualifiers: [allow], match: { hosts: [api.test], methods: [GET] } }]'), 'NetworkProxy');
  const text = compiled.files[0]!.content;
  /** The file as JSON to edit: the parts the cases change. */
  type Editable = Record<string, unknown> & { decisions: { httpRules: Record<string, unknown>[]; l4Rules: unknown[] }; proxyPort: unknown };
  const edited = (edit: (config: Editable) => void) => {
    const config = JSON.parse(text) as Editable;
    edit(config);
    return parseProxyConfig(JSON.stringify(config, null, 2), 'proxy.json');
  };
  const problems = (result: ReturnType<typeof parseProxyConfig>) => errorsOf(result).map((error) => `${error.code} ${error.pointer} ${error.location?.line}:${error.location?.column}`);

  it('reads back what compile wrote, byte for byte', () => {
    const read = parseProxyConfig(text);
    expect(read.ok && formatProxyConfig(read.value)).toBe(text);
  });

  it('refuses the same hostile values, with pointer and line:column', () => {
    expect(problems(edited((c) => (c.decisions.httpRules[0]!.methods = ['GET /x HTTP/1.1'])))).toEqual(['invalid-value /decisions/httpRules/0/methods/0 19:11']);
    expect(problems(edited((c) => (c.decisions.httpRules[0]!.hosts = ['api.test\r\nx: y'])))).toEqual(['invalid-value /decisions/httpRules/0/hosts/0 16:11']);
    expect(problems(edited((c) => (c.decisions.httpRules[0]!.hosts = ['API.test'])))).toEqual(['invalid-value /decisions/httpRules/0/hosts/0 16:11']);
    expect(problems(edited((c) => (c.decisions.l4Rules = [{ index: 0, pointer: '', action: 'allow', audit: false, networks: ['10.0.0.0/33'] }])))[0]).toMatch(/^invalid-value \/decisions\/l4Rules\/0\/networks\/0 /);
    expect(problems(edited((c) => (c.mitm = { domains: ['a.test'], headerMutations: [{ domain: 'a.test', headers: [{ name: 'X', value: 'v\n' }] }] })))[0]).toMatch(
      /^invalid-value \/mitm\/headerMutations\/0\/headers\/0/,
    );
  });

  it('refuses unknown fields, wrong types, missing fields and clashing ports', () => {
    expect(problems(edited((c) => (c.extra = 1)))).toEqual(['unknown-field /extra 35:3']);
    expect(problems(edited((c) => (c.proxyPort = '15001')))).toEqual(['invalid-type /proxyPort 3:16']);
    expect(problems(edited((c) => delete c.audit))).toEqual(['required /audit 1:1']);
    expect(problems(edited((c) => (c.proxyAdminPort = c.proxyPort)))).toEqual(['constraint /proxyAdminPort 4:21']);
    expect(problems(parseProxyConfig('{ "version": 1,', 'proxy.json'))[0]).toMatch(/^yaml-syntax /);
  });

  it('takes listen addresses as IP literals only (no names, no empty list)', () => {
    const listen = (value: unknown) => edited((c) => (c.listen = value));
    const read = listen(['0.0.0.0', '::']);
    expect(read.ok && read.value.listen).toEqual(['0.0.0.0', '::']);
    expect(problems(listen(['localhost']))[0]).toMatch(/^invalid-value \/listen\/0 /);
    expect(errorsOf(listen(['localhost']))[0]?.message).toContain('listen address "localhost" is not an IP address');
    expect(problems(listen([]))[0]).toMatch(/^invalid-value \/listen /);
  });
});
