import { describe, expect, it } from 'vitest';
import { deciderFor, deciderOf, http, short, tcp, tls } from './support/decide.js';

const POLICY_BASE = `apiVersion: crd.varmor.org/v1beta1
kind: VarmorPolicy
metadata: { name: np-test, namespace: demo }
spec:
  target: { kind: Deployment, selector: { matchLabels: { app: demo } } }
  policy:
    enforcer: NetworkProxy
`;

describe('modes without rules', () => {
  it.each(['AlwaysAllow', 'RuntimeDefault'])('%s allows everything, audits nothing', (mode) => {
    const decider = deciderOf(`${POLICY_BASE}    mode: ${mode}\n`);
    expect(short(decider.decide(tcp('10.0.0.1', 22)))).toBe('allow');
    expect(short(decider.decide(tls('1.2.3.4', 443, 'example.com')))).toBe('allow');
    expect(short(decider.decide(http('::1', 80, { host: 'example.com', method: 'DELETE' })))).toBe('allow');
  });

  it('EnhanceProtect without an egress section allows everything', () => {
    const decider = deciderOf(`${POLICY_BASE}    mode: EnhanceProtect\n    enhanceProtect: { networkProxyRawRules: {} }\n`);
    expect(short(decider.decide(tcp('10.0.0.1', 22)))).toBe('allow');
  });

  it('DefenseInDepth without an egress section denies everything, each denial audited', () => {
    const decider = deciderOf(`${POLICY_BASE}    mode: DefenseInDepth\n    defenseInDepth: { networkProxy: {} }\n`);
    expect(short(decider.decide(tcp('10.0.0.1', 22)))).toBe('deny+audit');
    expect(short(decider.decide(tls('1.2.3.4', 443, 'example.com')))).toBe('deny+audit');
    expect(short(decider.decide(http('fd00::1', 8080, { host: 'example.com' })))).toBe('deny+audit');
  });

  it('DefenseInDepth with egress rules uses them', () => {
    const decider = deciderOf(`${POLICY_BASE}    mode: DefenseInDepth
    defenseInDepth:
      networkProxy:
        egress:
          defaultAction: deny
          rules: [{ qualifiers: [allow], ip: 10.0.0.1 }]
`);
    expect(short(decider.decide(tcp('10.0.0.1', 22)))).toBe('allow @l4:0');
    expect(short(decider.decide(tcp('10.0.0.2', 22)))).toBe('deny+audit');
  });
});

describe('L4 rules', () => {
  const decider = deciderFor(`
defaultAction: deny
rules:
  - { qualifiers: [allow], ip: 10.0.0.1 }
  - { qualifiers: [allow], cidr: 192.168.0.0/16, ports: [{ port: 443 }, { port: 8000, endPort: 8080 }] }
  - { qualifiers: [allow, audit], ports: [{ port: 53 }] }
  - { qualifiers: [allow], cidr: "fd00:1::/32" }
  - { qualifiers: [allow], ip: "2001:db8::7", ports: [{ port: 22 }] }
  - { qualifiers: [deny], cidr: 192.168.7.0/24 }
`);

  it('match by IP (any port), CIDR and port, port range (inclusive ends), port alone', () => {
    expect(short(decider.decide(tcp('10.0.0.1', 1)))).toBe('allow @l4:0');
    expect(short(decider.decide(tcp('10.0.0.1', 65535)))).toBe('allow @l4:0');
    expect(short(decider.decide(tcp('10.0.0.2', 80)))).toBe('deny+audit');
    expect(short(decider.decide(tcp('192.168.255.255', 443)))).toBe('allow @l4:1');
    expect(short(decider.decide(tcp('192.168.1.1', 444)))).toBe('deny+audit');
    expect(short(decider.decide(tcp('192.168.1.1', 8000)))).toBe('allow @l4:1');
    expect(short(decider.decide(tcp('192.168.1.1', 8080)))).toBe('allow @l4:1');
    expect(short(decider.decide(tcp('192.168.1.1', 8081)))).toBe('deny+audit');
    expect(short(decider.decide(tcp('192.169.0.0', 443)))).toBe('deny+audit');
    expect(short(decider.decide(tcp('8.8.8.8', 53)))).toBe('allow+audit @l4:2');
    expect(short(decider.decide(tcp('2001:4860::8888', 53)))).toBe('allow+audit @l4:2');
  });

  it('match IPv6 by CIDR and by address, and read IPv4-mapped destinations as IPv4', () => {
    expect(short(decider.decide(tcp('fd00:1:ffff::1', 9)))).toBe('allow @l4:3');
    expect(short(decider.decide(tcp('fd00:2::1', 9)))).toBe('deny+audit');
    expect(short(decider.decide(tcp('2001:db8::7', 22)))).toBe('allow @l4:4');
    expect(short(decider.decide(tcp('2001:DB8:0:0::7', 22)))).toBe('allow @l4:4');
    expect(short(decider.decide(tcp('2001:db8::7', 23)))).toBe('deny+audit');
    expect(short(decider.decide(tcp('::ffff:10.0.0.1', 80)))).toBe('allow @l4:0');
    expect(short(decider.decide(tcp('::ffff:a00:1', 80)))).toBe('allow @l4:0');
    // An IPv4 rule never matches an IPv6 destination that merely embeds the address elsewhere.
    expect(short(decider.decide(tcp('::10.0.0.1', 80)))).toBe('deny+audit');
  });

  it('deny rules come before allow rules, whatever their order in the policy', () => {
    expect(short(decider.decide(tcp('192.168.7.9', 443)))).toBe('deny+audit @l4:5');
    expect(short(decider.decide(tcp('192.168.8.9', 443)))).toBe('allow @l4:1');
  });

  it('apply to TLS and HTTP too (vArmor puts them in every chain)', () => {
    expect(short(decider.decide(tls('10.0.0.1', 443, 'anything.test')))).toBe('allow @l4:0');
    expect(short(decider.decide(http('10.0.0.1', 80, { host: 'anything.test' })))).toBe('allow @l4:0');
    expect(short(decider.decide(http('192.168.7.1', 443, { host: 'x' })))).toBe('deny+audit @l4:5');
  });

  it('refuse a destination that is not an address', () => {
    expect(short(decider.decide(tcp('example.com', 443)))).toBe('deny+audit');
  });
});

describe('defaultAction allow (a block list)', () => {
  const decider = deciderFor(`
defaultAction: ALLOW
rules:
  - { qualifiers: [deny], cidr: 10.0.0.0/8 }
  - { qualifiers: [deny, audit], ip: 10.9.9.9 }
  - { qualifiers: [audit], ports: [{ port: 25 }] }
  - { qualifiers: [], ip: 1.1.1.1 }
httpRules:
  - { qualifiers: [deny], match: { hosts: [blocked.test] } }
  - { qualifiers: [deny, audit], match: { hosts: ["*.watched.test"], paths: [{ prefix: /admin }] } }
`);

  it('denies what deny rules match, unaudited unless the rule says audit', () => {
    expect(short(decider.decide(tcp('10.1.1.1', 80)))).toBe('deny @l4:0');
    expect(short(decider.decide(tcp('10.9.9.9', 80)))).toBe('deny+audit @l4:0');
    expect(short(decider.decide(tcp('11.0.0.1', 80)))).toBe('allow');
  });

  it('audits what an audit rule matches and allows it; a rule without allow or deny follows the default', () => {
    expect(short(decider.decide(tcp('11.0.0.1', 25)))).toBe('allow+audit @l4:2');
    expect(short(decider.decide(tcp('1.1.1.1', 25)))).toBe('allow+audit @l4:2');
    expect(short(decider.decide(tcp('1.1.1.1', 26)))).toBe('allow @l4:3');
  });

  it('a deny decided by one rule is audited when another matching rule carries audit (vArmor shadow rules)', () => {
    expect(short(decider.decide(tcp('10.0.0.5', 25)))).toBe('deny+audit @l4:0');
  });

  it('host rules deny by SNI and by request; path rules only by request', () => {
    expect(short(decider.decide(tls('1.2.3.4', 443, 'blocked.test')))).toBe('deny @http:0');
    expect(short(decider.decide(http('1.2.3.4', 80, { host: 'BLOCKED.test.:80' })))).toBe('deny @http:0');
    expect(short(decider.decide(http('1.2.3.4', 80, { host: 'a.watched.test', path: '/admin/x' })))).toBe('deny+audit @http:1');
    expect(short(decider.decide(http('1.2.3.4', 80, { host: 'a.watched.test', path: '/public' })))).toBe('allow');
    // vArmor's SNI permissions carry hosts and ports only: on passthrough TLS the path cannot be seen, so it denies the name.
    expect(short(decider.decide(tls('1.2.3.4', 443, 'a.watched.test')))).toBe('deny+audit @http:1');
    // Allow-default needs no name check.
    expect(decider.decide(tls('1.2.3.4', 443, 'ok.test')).allowedByName).toBeUndefined();
  });
});

describe('HTTP rules', () => {
  const decider = deciderFor(`
defaultAction: deny
httpRules:
  - { qualifiers: [deny], match: { hosts: [api.example.com], paths: [{ prefix: /admin/ }, { exact: /secret }] } }
  - { qualifiers: [allow, audit], match: { hosts: [api.example.com], methods: [get, HEAD], paths: [{ exact: /get }, { prefix: /headers }] } }
  - { qualifiers: [allow], match: { hosts: ["*.cdn.test"], ports: [{ port: 443 }, { port: 8443 }] } }
  - { qualifiers: [allow], match: { hosts: ["Upper.Example.NET."], ports: [{ port: 8000, endPort: 8100 }] } }
  - { qualifiers: [allow], match: { paths: [{ prefix: /public/ }] } }
  - { qualifiers: [allow], match: { hosts: ["*"], ports: [{ port: 7000 }] } }
  - { qualifiers: [allow], match: { hosts: ["[fd00::5]"] } }
`);
  const req = (host: string | undefined, method: string, path: string, port = 80) => short(decider.decide(http('203.0.113.9', port, { ...(host !== undefined ? { host } : {}), method, path })));

  it('match host, method (upper-cased in the rule, compared as sent) and path exact / prefix', () => {
    expect(req('api.example.com', 'GET', '/get')).toBe('allow+audit @http:1 ~api.example.com');
    expect(req('api.example.com', 'HEAD', '/headers/x')).toBe('allow+audit @http:1 ~api.example.com');
    expect(req('api.example.com', 'get', '/get')).toBe('deny+audit');
    expect(req('api.example.com', 'POST', '/get')).toBe('deny+audit');
    expect(req('api.example.com', 'GET', '/get/more')).toBe('deny+audit');
    expect(req('api.example.com', 'GET', '/get?x=1')).toBe('allow+audit @http:1 ~api.example.com');
    expect(req('other.example.com', 'GET', '/get')).toBe('deny+audit');
    expect(req(undefined, 'GET', '/get')).toBe('deny+audit');
  });

  it('deny before allow, and the path is normalized first (dot segments, double slashes, escapes)', () => {
    expect(req('api.example.com', 'GET', '/admin/')).toBe('deny+audit @http:0');
    expect(req('api.example.com', 'GET', '/secret')).toBe('deny+audit @http:0');
    expect(req('api.example.com', 'GET', '/headers/../admin/x')).toBe('deny+audit @http:0');
    expect(req('api.example.com', 'GET', '//admin//x')).toBe('deny+audit @http:0');
    expect(req('api.example.com', 'GET', '/%61dmin/x')).toBe('deny+audit @http:0');
    expect(req('api.example.com', 'GET', '/headers%2F..%2Fsecret')).toBe('deny+audit @http:0');
    expect(req('api.example.com', 'GET', 'http://api.example.com/secret')).toBe('deny+audit @http:0');
    expect(req('api.example.com', 'GET', '/Secret')).toBe('deny+audit');
  });

  it('hosts: case and a trailing dot do not matter, a port in Host does not either, "*.x" matches below x only', () => {
    expect(req('API.Example.Com.', 'GET', '/get')).toBe('allow+audit @http:1 ~api.example.com');
    expect(req('api.example.com:80', 'GET', '/get')).toBe('allow+audit @http:1 ~api.example.com');
    expect(req('a.cdn.test', 'GET', '/', 443)).toBe('allow @http:2 ~a.cdn.test');
    expect(req('a.b.cdn.test:8443', 'PUT', '/', 8443)).toBe('allow @http:2 ~a.b.cdn.test');
    expect(req('cdn.test', 'GET', '/', 443)).toBe('deny+audit');
    expect(req('evilcdn.test', 'GET', '/', 443)).toBe('deny+audit');
    expect(req('a.cdn.test', 'GET', '/', 444)).toBe('deny+audit');
    expect(req('upper.example.net', 'GET', '/', 8050)).toBe('allow @http:3 ~upper.example.net');
    expect(req('upper.example.net', 'GET', '/', 8101)).toBe('deny+audit');
    expect(req('[fd00::5]:8080', 'GET', '/', 8080)).toBe('allow @http:6 ~fd00::5');
  });

  it('a rule without hosts matches any request (no name to check); host "*" too, on its ports', () => {
    expect(req(undefined, 'GET', '/public/x')).toBe('allow @http:4');
    expect(req('anything.test', 'GET', '/public/x')).toBe('allow @http:4');
    expect(req('anything.test', 'GET', '/', 7000)).toBe('allow @http:5');
    expect(req(undefined, 'GET', '/', 7000)).toBe('allow @http:5');
  });

  it('on TLS passthrough: the SNI against hosts × ports; paths and methods are not seen; rules without hosts do not apply', () => {
    const sni = (name: string | undefined, port = 443) => short(decider.decide(tls('203.0.113.9', port, name)));
    expect(sni('api.example.com')).toBe('deny+audit @http:0');
    expect(sni('x.cdn.test')).toBe('allow @http:2 ~x.cdn.test');
    expect(sni('X.CDN.test.', 8443)).toBe('allow @http:2 ~x.cdn.test');
    expect(sni('x.cdn.test', 444)).toBe('deny+audit');
    expect(sni('upper.example.net', 8000)).toBe('allow @http:3 ~upper.example.net');
    expect(sni(undefined)).toBe('deny+audit');
    expect(sni(undefined, 7000)).toBe('allow @http:5');
    expect(sni('who.test', 7000)).toBe('allow @http:5');
  });

  it('plain TCP: HTTP rules do not apply', () => {
    expect(short(decider.decide(tcp('203.0.113.9', 7000)))).toBe('deny+audit');
  });
});

describe('L4 and HTTP rules together', () => {
  const decider = deciderFor(`
defaultAction: deny
rules:
  - { qualifiers: [allow], cidr: 10.0.0.0/8, ports: [{ port: 443 }] }
  - { qualifiers: [deny], ip: 10.6.6.6 }
httpRules:
  - { qualifiers: [allow, audit], match: { hosts: [api.test] } }
  - { qualifiers: [deny], match: { hosts: [bad.test] } }
`);

  it('an allow by address needs no name check; an allow by name alone does', () => {
    expect(decider.decide(tls('10.1.1.1', 443, 'api.test'))).toEqual({
      action: 'allow',
      audit: true,
      rule: { kind: 'http', index: 0, pointer: '/spec/policy/enhanceProtect/networkProxyRawRules/egress/httpRules/0' },
    });
    expect(decider.decide(tls('203.0.113.1', 443, 'api.test'))).toMatchObject({ action: 'allow', audit: true, allowedByName: 'api.test' });
    expect(short(decider.decide(tls('10.1.1.1', 443, 'other.test')))).toBe('allow @l4:0');
  });

  it('a deny of either kind wins; L4 rules are reported first', () => {
    expect(short(decider.decide(tls('10.1.1.1', 443, 'bad.test')))).toBe('deny+audit @http:1');
    expect(short(decider.decide(http('10.6.6.6', 443, { host: 'bad.test' })))).toBe('deny+audit @l4:1');
    expect(short(decider.decide(http('10.6.6.6', 443, { host: 'api.test' })))).toBe('deny+audit @l4:1');
  });
});

describe('MITM', () => {
  const decider = deciderFor(
    `
defaultAction: deny
httpRules:
  - { qualifiers: [deny], match: { hosts: [api.test], paths: [{ prefix: /admin }] } }
  - { qualifiers: [allow, audit], match: { hosts: [api.test, "*.wild.test", 1.1.1.1], methods: [GET] } }
`,
    `    networkProxyConfig:
      mitm:
        domains: [api.test, "*.wild.test", 1.1.1.1, "2001:db8::1/128"]
`,
  );

  it('intercepts TLS to a mitm domain by server name, or to a mitm address whatever the name', () => {
    expect(short(decider.decide(tls('203.0.113.1', 443, 'API.test')))).toBe('allow mitm:api.test');
    expect(short(decider.decide(tls('203.0.113.1', 8443, 'x.wild.test')))).toBe('allow mitm:*.wild.test');
    expect(short(decider.decide(tls('1.1.1.1', 443)))).toBe('allow mitm:1.1.1.1');
    expect(short(decider.decide(tls('1.1.1.1', 443, 'other.test')))).toBe('allow mitm:1.1.1.1');
    expect(short(decider.decide(tls('2001:db8::1', 443)))).toBe('allow mitm:2001:db8::1/128');
    expect(short(decider.decide(tls('203.0.113.1', 443, 'other.test')))).toBe('deny+audit');
  });

  it('judges each request in an intercepted connection by path and method', () => {
    const inside = (host: string, method: string, path: string, mitmDomain?: string) =>
      short(decider.decide(http('203.0.113.1', 443, { host, method, path, tls: true, ...(mitmDomain ? { mitmDomain } : {}) })));
    expect(inside('api.test', 'GET', '/data', 'api.test')).toBe('allow+audit @http:1 ~api.test');
    expect(inside('api.test', 'POST', '/data', 'api.test')).toBe('deny+audit');
    expect(inside('api.test', 'GET', '/admin/x', 'api.test')).toBe('deny+audit @http:0');
    expect(inside('a.wild.test', 'GET', '/', '*.wild.test')).toBe('allow+audit @http:1 ~a.wild.test');
    // No catch-all virtual host: another Host in the intercepted connection is refused (domain fronting).
    expect(inside('other.test', 'GET', '/data', 'api.test')).toBe('deny+audit');
    expect(inside('a.wild.test', 'GET', '/', 'api.test')).toBe('deny+audit');
    expect(inside('a.wild.test', 'GET', '/')).toBe('allow+audit @http:1 ~a.wild.test');
    expect(inside('1.1.1.1:443', 'GET', '/', '1.1.1.1')).toBe('allow+audit @http:1 ~1.1.1.1');
  });
});

describe('audit flags', () => {
  it.each([
    // [defaultAction, qualifiers, matched decision]
    ['deny', '[allow]', 'allow @l4:0'],
    ['deny', '[allow, audit]', 'allow+audit @l4:0'],
    ['deny', '[deny]', 'deny+audit @l4:0'],
    ['deny', '[deny, audit]', 'deny+audit @l4:0'],
    ['deny', '[audit]', 'deny+audit @l4:0'],
    ['deny', '[]', 'deny+audit @l4:0'],
    ['allow', '[allow]', 'allow @l4:0'],
    ['allow', '[allow, audit]', 'allow+audit @l4:0'],
    ['allow', '[deny]', 'deny @l4:0'],
    ['allow', '[deny, audit]', 'deny+audit @l4:0'],
    ['allow', '[audit]', 'allow+audit @l4:0'],
    ['allow', '[]', 'allow @l4:0'],
  ])('defaultAction %s, qualifiers %s: %s', (defaultAction, qualifiers, expected) => {
    const decider = deciderFor(`defaultAction: ${defaultAction}\nrules: [{ qualifiers: ${qualifiers}, ip: 10.0.0.1 }]`);
    expect(short(decider.decide(tcp('10.0.0.1', 80)))).toBe(expected);
    expect(short(decider.decide(tcp('10.0.0.2', 80)))).toBe(defaultAction === 'deny' ? 'deny+audit' : 'allow');
  });
});
