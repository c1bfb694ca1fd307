import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../src/main.js';
import { armorkit } from './cli-process.js';

const REPO = new URL('../../../', import.meta.url).pathname;
const EXAMPLES = join(REPO, 'examples/policies');
const CORPUS = join(REPO, '../shared/corpus/varmor');
const scratch = mkdtempSync(join(tmpdir(), 'armorkit-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function run(args: string[], cwd = scratch) {
  let out = '';
  let err = '';
  const code = await main(args, { out: (t) => (out += t.endsWith('\n') ? t : t + '\n'), err: (t) => (err += t.endsWith('\n') ? t : t + '\n'), cwd });
  return { code, out, err };
}

function write(name: string, text: string): string {
  const path = join(scratch, name);
  writeFileSync(path, text);
  return path;
}

const BROKEN = `apiVersion: crd.varmor.org/v1beta1
kind: VarmorPolicy
metadata: {name: broken, namespace: demo}
spec:
  target: {kind: Deployment, name: app}
  policy:
    enforcer: AppArmor
    mode: EnhanceProtect
    enhanceProtect:
      hardeningRules:
      - disable-cap-net-rw
`;

/** Why compile (so validate) refuses parts of vArmor's corpus; docs/compat.md explains each. */
const REJECTIONS: [string, RegExp][] = [
  ['no egress resolver', /this engine has no egress resolver/],
  ['qualifiers required', /\/qualifiers: qualifiers is required/],
  // The corpus's DefenseInDepth examples carry a custom profile written for another policy (named varmor-demo-demo-4).
  ['custom profile of another policy', /\/spec\/policy\/defenseInDepth\/appArmor\/customProfile: /],
  ['unknown syscall', /unknown syscall "sysctl"/],
];

describe('armorkit validate', () => {
  it('exits 0 on the examples', async () => {
    const { code, out, err } = await run(['validate', EXAMPLES]);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toMatch(/8 file\(s\), 8 valid policies, 0 error\(s\)/);
  });

  it('exits 1 with file:line:col: pointer: message for an invalid policy', async () => {
    const { code, err } = await run(['validate', write('broken.yaml', BROKEN)]);
    expect(code).toBe(1);
    expect(err).toContain(
      `${scratch}/broken.yaml:11:9: /spec/policy/enhanceProtect/hardeningRules/0: unknown rule "disable-cap-net-rw"; did you mean "disable-cap-net-raw"?`,
    );
  });

  it('exits 1 on malformed YAML without a stack trace', async () => {
    const { code, err } = await run(['validate', write('bad.yaml', 'spec:\n  policy: [unclosed\n')]);
    expect(code).toBe(1);
    expect(err).toMatch(/bad\.yaml:\d+:\d+: /);
    expect(err).not.toMatch(/\n\s+at /);
  });

  it('exits 2 on usage errors', async () => {
    expect((await run(['validate', join(scratch, 'missing.yaml')])).code).toBe(2);
    expect((await run(['validate'])).code).toBe(2);
    expect((await run(['frobnicate'])).code).toBe(2);
  });

  it('reads standard input with - (through the real binary entry point)', () => {
    const result = armorkit(['validate', '-'], { cwd: scratch, input: BROKEN });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('<stdin>:11:9: /spec/policy/enhanceProtect/hardeningRules/0: unknown rule');
  });

  it('accepts the vArmor corpus except what compile refuses, each for its documented reason', async () => {
    const { err } = await run(['validate', CORPUS]);
    const errors = err.split('\n').filter((line) => line !== '' && !line.endsWith('(warning)'));
    const reasons = new Map<string, Set<string>>();
    for (const line of errors) {
      const file = line.split(':')[0]!.split('/').pop()!;
      const reason = REJECTIONS.find(([, pattern]) => pattern.test(line))?.[0] ?? line;
      reasons.set(file, new Set([...(reasons.get(file) ?? []), reason]));
    }
    expect(Object.fromEntries([...reasons].map(([file, set]) => [file, [...set].join(', ')]))).toEqual({
      'ex2__vpol-bpf-enhance.yaml': 'no egress resolver',
      'ex5__vpol-enhance.yaml': 'qualifiers required',
      'ex6__vcpol-defense-in-depth.yaml': 'custom profile of another policy',
      'ex6__vpol-defense-in-depth.yaml': 'custom profile of another policy',
      'perf__seccomp-default.yaml': 'unknown syscall',
    });
  });
});

describe('armorkit compile', () => {
  it('writes <profileName>.<suffix> files with --out', async () => {
    const out = join(scratch, 'out');
    const { code, err } = await run(['compile', join(EXAMPLES, 'batch-worker-seccomp.yaml'), '--out', out]);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(readdirSync(out)).toEqual(['varmor-jobs-batch-worker.seccomp.json']);
    const profile = JSON.parse(readFileSync(join(out, 'varmor-jobs-batch-worker.seccomp.json'), 'utf8')) as { defaultAction: string };
    expect(profile.defaultAction).toBe('SCMP_ACT_ALLOW');
  });

  it('prints JSON with --format json and only the chosen enforcer', async () => {
    const { code, out } = await run(['compile', join(EXAMPLES, 'observe-first.yaml'), '--enforcer', 'seccomp', '--format', 'json']);
    expect(code).toBe(0);
    const artifacts = JSON.parse(out) as { enforcer: string; profileName: string }[];
    expect(artifacts.map((a) => [a.enforcer, a.profileName])).toEqual([['Seccomp', 'varmor-cluster-varmor-observe-first']]);
  });

  it('writes the NetworkProxy proxy configuration, and explain shows its decision table in evaluation order', async () => {
    const out = join(scratch, 'np-out');
    const policy = join(CORPUS, 'e2e-networkproxy__vpol-mitm-deny.yaml');
    const { code, err } = await run(['compile', policy, '--enforcer', 'networkproxy', '--out', out]);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(readdirSync(out)).toEqual(['varmor-demo-e2e-networkproxy-mitm-deny.networkproxy.json']);
    const config = JSON.parse(readFileSync(join(out, 'varmor-demo-e2e-networkproxy-mitm-deny.networkproxy.json'), 'utf8')) as { proxyPort: number; decisions: { defaultAction: string } };
    expect([config.proxyPort, config.decisions.defaultAction]).toEqual([15001, 'deny']);
    const explained = await run(['explain', policy]);
    expect(explained.code).toBe(0);
    expect(explained.out).toContain(
      [
        '    decision table, in evaluation order:',
        '      1. TLS to postman-echo.com is intercepted: each request in it is judged as an HTTP request',
        '      2. deny, audited: HTTP to postman-echo.com path /admin/*, /secret; TLS passthrough by server name (method and path not seen there) (explicit admin deny (takes precedence)) [/spec/policy/enhanceProtect/networkProxyRawRules/egress/httpRules/0]',
        '      3. allow, audited: HTTP GET to postman-echo.com path /get, /headers*; TLS passthrough by server name (method and path not seen there) [/spec/policy/enhanceProtect/networkProxyRawRules/egress/httpRules/1]',
        '      4. otherwise deny, audited',
      ].join('\n'),
    );
    const json = JSON.parse((await run(['explain', policy, '--format', 'json'])).out) as { enforcers: { artifact?: { entries: { pointer?: string }[] } }[] }[];
    expect(json[0]!.enforcers[0]!.artifact!.entries.map((entry) => entry.pointer ?? '')).toEqual([
      '',
      '/spec/policy/enhanceProtect/networkProxyRawRules/egress/httpRules/0',
      '/spec/policy/enhanceProtect/networkProxyRawRules/egress/httpRules/1',
      '',
      '',
    ]);
  });

  it('writes nothing when the policy is invalid', async () => {
    const out = join(scratch, 'never');
    const { code } = await run(['compile', write('broken2.yaml', BROKEN), '--out', out]);
    expect(code).toBe(1);
    expect(() => readdirSync(out)).toThrow();
  });

  it('rejects an unknown --enforcer', async () => {
    const { code, err } = await run(['compile', join(EXAMPLES, 'observe-first.yaml'), '--enforcer', 'selinux']);
    expect(code).toBe(2);
    expect(err).toContain('unknown enforcer "selinux"');
  });
});

describe('armorkit explain, rules, schema', () => {
  it('explains per rule and enforcer, including rules that do nothing there', async () => {
    const { code, out } = await run(['explain', join(EXAMPLES, 'payments-multi-enforcer.yaml')]);
    expect(code).toBe(0);
    expect(out).toContain('varmor-payments-payments-api: VarmorPolicy payments/payments-api');
    expect(out).toMatch(/Seccomp: base AlwaysAllow.*\n(.*\n)*\s+disallow-create-user-ns \[hardening\]\n\s+unshare when arg0 & 0x10000000 == 0x10000000/);
    expect(out).toMatch(/block-access-to-metadata-service: does nothing here, not implemented by Seccomp/);
  });

  it('lists the catalogue as JSON', async () => {
    const { code, out } = await run(['rules', '--format', 'json', '--enforcer', 'seccomp']);
    expect(code).toBe(0);
    const rules = JSON.parse(out) as { id: string; enforcers: string[] }[];
    expect(rules.map((r) => r.id)).toContain('disable-chmod-x-bit');
    expect(rules.every((r) => r.enforcers.includes('Seccomp'))).toBe(true);
  });

  it('prints the JSON Schema', async () => {
    const { code, out } = await run(['schema']);
    expect(code).toBe(0);
    expect(JSON.stringify(JSON.parse(out))).toContain('enhanceProtect');
  });
});

describe('custom engine from armorkit.config.mjs', () => {
  const example = join(REPO, 'examples/custom-engine');
  it('uses the third-party rule pack and only the listed plugins', async () => {
    const { code, out, err } = await run(['compile', 'policy.yaml', '--format', 'json', '--no-verify'], example);
    expect(err).toBe('');
    expect(code).toBe(0);
    const artifacts = JSON.parse(out) as { enforcer: string; files: { content: string }[] }[];
    expect(artifacts.map((a) => a.enforcer).sort()).toEqual(['AppArmor', 'Seccomp']);
    expect(artifacts.find((a) => a.enforcer === 'AppArmor')!.files[0]!.content).toMatch(/\/\*\*\/xmrig r?i?x,/);
  });

  it('without the pack, the same rule is unknown', async () => {
    const { code, err } = await run(['validate', join(example, 'policy.yaml')]);
    expect(code).toBe(1);
    expect(err).toContain('unknown rule "block-crypto-miners"');
  });

  it('runs the minimal enforcer of egress-list.mjs, and reports what it refuses at the field', async () => {
    const compiled = await run(['--config', join(example, 'egress-list.config.mjs'), 'compile', 'egress-policy.yaml'], example);
    expect(compiled).toEqual({
      code: 0,
      out: '### varmor-shop-shop-api.egress.txt (NetworkProxy, enforce)\nallow 10.0.0.0/8 ports 443\ndeny audit 169.254.169.254\ndefault deny\n',
      err: '',
    });
    const http = write(
      'egress-http.yaml',
      readFileSync(join(example, 'egress-policy.yaml'), 'utf8').replace('          rules:\n', '          httpRules:\n            - qualifiers: [allow]\n              match: {hosts: [shop.example]}\n          rules:\n'),
    );
    const refused = await run(['--config', join(example, 'egress-list.config.mjs'), 'compile', http]);
    expect(refused.code).toBe(1);
    expect(refused.err).toBe(`${http}:18:13: /spec/policy/enhanceProtect/networkProxyRawRules/egress/httpRules: httpRules need an HTTP proxy; remove them or use plugin-networkproxy\n`);
  });
});

describe('compile refuses what would overwrite', () => {
  it('two policies with one profile name', async () => {
    const out = join(scratch, 'dup');
    const a = write('dup-a.yaml', BROKEN.replace('disable-cap-net-rw', 'disable-cap-net-raw'));
    const b = write('dup-b.yaml', BROKEN.replace('disable-cap-net-rw', 'mitigate-sa-leak'));
    const { code, err } = await run(['compile', a, b, '--out', out, '--no-verify']);
    expect(code).toBe(1);
    expect(err).toMatch(/dup-b\.yaml:3:\d+: \/metadata\/name: profile name varmor-demo-broken is also the profile of VarmorPolicy demo\/broken/);
    expect(() => readdirSync(out)).toThrow();
  });
});
