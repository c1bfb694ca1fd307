// KubeArmor policies through the bundled `armorkit` (pnpm run -s build-all): validate, compile (the AppArmor profile
// through apparmor_parser, seccomp JSON for syscall rules), explain (the fields not enforced exactly) and run (a
// syscall Block rule really denied by seccomp on the host kernel).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { armorkit } from './cli-process.js';

const dir = mkdtempSync(join(tmpdir(), 'armorkit-kubearmor-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = (args: string[]) => armorkit(args, { cwd: dir, built: true, timeout: 120_000 });

const POLICIES = {
  'ksp.yaml': `apiVersion: security.kubearmor.com/v1
kind: KubeArmorPolicy
metadata: {name: block-stuff, namespace: demo}
spec:
  selector:
    matchLabels: {app: web}
  process:
    matchPaths:
      - path: /usr/bin/sleep
  file:
    matchDirectories:
      - dir: /etc/
        recursive: true
        readOnly: true
  syscalls:
    matchSyscalls:
      - syscall: [unshare]
  action: Block
`,
  'csp.yaml': `apiVersion: security.kubearmor.com/v1
kind: KubeArmorClusterPolicy
metadata: {name: audit-shadow}
spec:
  selector:
    matchExpressions:
      - {key: namespace, operator: In, values: [demo]}
  file:
    matchPaths:
      - path: /etc/shadow
        ownerOnly: true
  network:
    matchProtocols:
      - protocol: raw
  action: Audit
`,
  'hsp.yaml': `apiVersion: security.kubearmor.com/v1
kind: KubeArmorHostPolicy
metadata: {name: ping-raw}
spec:
  nodeSelector:
    matchLabels: {kubearmor.io/hostname: "*"}
  capabilities:
    matchCapabilities:
      - capability: net_raw
        fromSource:
          - path: /usr/bin/ping
  action: Block
`,
  'allow.yaml': `apiVersion: security.kubearmor.com/v1
kind: KubeArmorPolicy
metadata: {name: allow-tmp, namespace: demo}
spec:
  selector:
    matchLabels: {app: web}
  file:
    matchDirectories:
      - dir: /tmp/
        action: Allow
  syscalls:
    matchSyscalls:
      - syscall: [unshare, setns]
`,
} as const;
for (const [name, text] of Object.entries(POLICIES)) writeFileSync(join(dir, name), text);

interface CompiledArtifact {
  enforcer: string;
  profileName: string;
  files: { name: string; content: string }[];
}

function compiledJson(file: string): CompiledArtifact[] {
  const result = cli(['compile', file, '--format', 'json']);
  expect(result.stderr.split('\n').filter((line) => line !== '' && !line.endsWith('(warning)'))).toEqual([]);
  expect(result.status).toBe(0);
  return JSON.parse(result.stdout) as CompiledArtifact[];
}

describe('armorkit validate with the three KubeArmor kinds', () => {
  it('accepts a KubeArmorPolicy, a KubeArmorClusterPolicy and a KubeArmorHostPolicy', () => {
    const result = cli(['validate', 'ksp.yaml', 'csp.yaml', 'hsp.yaml']);
    expect(result.stdout).toContain('3 file(s), 3 valid policies, 0 error(s)');
    expect(result.status).toBe(0);
  });
});

describe('armorkit compile with KubeArmor policies', { timeout: 180_000 }, () => {
  const parser = ['/usr/sbin/apparmor_parser', '/sbin/apparmor_parser'].find((path) => existsSync(path));

  it('writes AppArmor profiles apparmor_parser compiles (-Q -K), for every kind', () => {
    expect(parser, 'apparmor_parser (Debian apparmor) is installed by make setup').toBeDefined();
    const out = join(dir, 'out');
    const result = cli(['compile', 'ksp.yaml', 'csp.yaml', 'hsp.yaml', '--out', out]);
    expect(result.status).toBe(0);
    const profiles = readdirSync(out).filter((name) => name.endsWith('.apparmor')).sort();
    expect(profiles).toEqual(['kubearmor-cluster-audit-shadow.apparmor', 'kubearmor-demo-block-stuff.apparmor', 'kubearmor-host-ping-raw.apparmor']);
    for (const profile of profiles) {
      // apparmor_parser itself, not compile's own verify: the written file is what a user loads.
      execFileSync(parser!, ['-Q', '-K', '-T', join(out, profile)], { stdio: 'pipe' });
    }
    const text = (name: string) => readFileSync(join(out, name), 'utf8');
    expect(text('kubearmor-demo-block-stuff.apparmor')).toContain('  audit deny /usr/bin/sleep x,\n');
    // readOnly: writes below /etc are denied, reads stay allowed by the posture's file line
    expect(text('kubearmor-demo-block-stuff.apparmor')).toMatch(/audit deny \/etc\/\*\* wkl,/);
    // Audit: allowed and logged; ownerOnly: the owner's access only is the rule's
    expect(text('kubearmor-cluster-audit-shadow.apparmor')).toMatch(/audit owner \/etc\/shadow rwmkl,/);
    expect(text('kubearmor-cluster-audit-shadow.apparmor')).toContain('audit network raw,');
    // fromSource: a child profile for /usr/bin/ping that denies the capability
    expect(text('kubearmor-host-ping-raw.apparmor')).toMatch(/\/usr\/bin\/ping cx -> child_0,[\s\S]*profile child_0 [\s\S]*audit deny capability net_raw,/);
  });

  it('writes seccomp for syscall rules: errno EPERM when the policy blocks, log when it audits', () => {
    const blocked = compiledJson('ksp.yaml').find((artifact) => artifact.enforcer === 'Seccomp');
    expect(JSON.parse(blocked!.files[0]!.content)).toMatchObject({
      defaultAction: 'SCMP_ACT_ALLOW',
      syscalls: [{ names: ['unshare'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }],
    });
    const audited = compiledJson('allow.yaml').find((artifact) => artifact.enforcer === 'Seccomp');
    expect(JSON.parse(audited!.files[0]!.content)).toMatchObject({
      defaultAction: 'SCMP_ACT_ALLOW',
      syscalls: [
        { names: ['setns'], action: 'SCMP_ACT_LOG' },
        { names: ['unshare'], action: 'SCMP_ACT_LOG' },
      ],
    });
  });

  it('leaves out an enforcer that cannot take the policy, saying which field', () => {
    const result = cli(['compile', 'hsp.yaml', '--enforcer', 'bpf']);
    expect(result.stderr).toContain(
      "hsp.yaml:11:11: /spec/capabilities/matchCapabilities/0/fromSource: BPF is not used for this policy: armorkit's BPF enforcer cannot limit a rule to the processes of one executable",
    );
    expect(result.stderr).toContain('nothing to compile');
    expect(result.status).toBe(1);
  });
});

describe('armorkit explain with KubeArmor policies', { timeout: 60_000 }, () => {
  it('shows each rule under the KubeArmor field it came from, per enforcer', () => {
    const result = cli(['explain', 'ksp.yaml']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('kubearmor-demo-block-stuff: KubeArmorPolicy demo/block-stuff in ksp.yaml');
    expect(result.stdout).toContain('  AppArmor: base Posture (allowed wholesale: file, network, capability; protected: proc, sys, mount), profile runs in enforce mode');
    expect(result.stdout).toMatch(/AppArmor: .*\n(.*\n)*\s+\[\/spec\/process\/matchPaths\/0\]\n\s+audit deny \/usr\/bin\/sleep x,/);
    expect(result.stdout).toMatch(/Seccomp: .*\n(.*\n)*\s+\[\/spec\/syscalls\]\n\s+unshare: SCMP_ACT_ERRNO \(errno 1\)/);
  });

  it('names the fields that cannot be enforced exactly, with line:column', () => {
    const result = cli(['explain', 'allow.yaml']);
    expect(result.status).toBe(0);
    const notExact = result.stdout.slice(result.stdout.indexOf('  not enforced exactly:\n'));
    expect(notExact).toContain('allow.yaml:10:17: /spec/file/matchDirectories/0/action: BPF is not used for this policy: an Allow rule puts its class in whitelist mode');
    expect(notExact).toContain('allow.yaml:9:9: /spec/file/matchDirectories/0: with the audit posture, process and file operations outside the Allow rules pass without an AppArmor event');
    const json = JSON.parse(cli(['explain', 'allow.yaml', '--format', 'json']).stdout) as { notEnforcedExactly: { code: string; pointer: string }[] }[];
    expect(json[0]!.notEnforcedExactly.map((note) => [note.code, note.pointer])).toEqual([
      ['kubearmor/enforcer-left-out', '/spec/file/matchDirectories/0/action'],
      ['kubearmor/alerts-differ', '/spec/file/matchDirectories/0'],
    ]);
  });
});

describe('armorkit run with a KubeArmor policy (host kernel, seccomp)', { timeout: 60_000 }, () => {
  const EPERM = 1;
  // unshare(CLONE_NEWUSER) through the raw syscall (272 on x86_64): the exit code is the errno
  const unshare = ['python3', '-c', 'import ctypes,sys; l=ctypes.CDLL(None,use_errno=True); sys.exit(0 if l.syscall(272, 0x10000000)==0 else ctypes.get_errno())'];

  it('a syscall rule of a Block policy denies the call with EPERM', () => {
    const confined = armorkit(['run', '--policy', 'ksp.yaml', '--', ...unshare], { cwd: dir, built: true });
    expect(confined.stderr).toContain('armorkit: Seccomp: seccomp filter of');
    expect(confined.status).toBe(EPERM);
    expect(spawnSync(unshare[0]!, unshare.slice(1)).status).toBe(0);
  });

  it('a syscall rule of an audit policy lets the call run', () => {
    const confined = armorkit(['run', '--policy', 'allow.yaml', '--enforcer', 'seccomp', '--', ...unshare], { cwd: dir, built: true });
    expect(confined.stderr).toContain('armorkit: Seccomp: seccomp filter of');
    expect(confined.status).toBe(0);
    // run warns as compile does, at the field, before the command runs.
    expect(confined.stderr).toMatch(/allow.yaml:9:9: \/spec\/file\/matchDirectories\/0: .* \(warning\)\n(.*\n)*armorkit: Seccomp:/);
  });

  it('policies given together are merged into one profile: the syscalls both block are denied', () => {
    writeFileSync(join(dir, 'setns.yaml'), 'apiVersion: security.kubearmor.com/v1\nkind: KubeArmorPolicy\nmetadata: {name: block-setns, namespace: demo}\nspec:\n  selector:\n    matchLabels: {app: web}\n  syscalls:\n    matchSyscalls:\n      - syscall: [setns]\n  action: Block\n');
    // unshare(CLONE_NEWUSER) and setns(-1, 0) (308 on x86_64): each errno, EBADF (9) for setns when it is not denied.
    const both = ['python3', '-c', 'import ctypes; l=ctypes.CDLL(None,use_errno=True); e=[]\nfor call in ((272, 0x10000000), (308, -1, 0)):\n  l.syscall(*call); e.append(ctypes.get_errno())\nprint(*e)'];
    const merged = armorkit(['run', '--policy', 'ksp.yaml', '--policy', 'setns.yaml', '--', ...both], { cwd: dir, built: true });
    expect(merged.stderr).toContain('armorkit: Seccomp: seccomp filter of');
    expect(merged.stdout.trim()).toBe(`${EPERM} ${EPERM}`);
    const alone = armorkit(['run', '--policy', 'ksp.yaml', '--', ...both], { cwd: dir, built: true });
    expect(alone.stdout.trim()).toBe(`${EPERM} 9`);
    // --name picks among the files' policies; two namespaces cannot select one container.
    expect(armorkit(['run', '--policy', 'ksp.yaml', '--policy', 'setns.yaml', '--name', 'block-setns', '--', ...both], { cwd: dir, built: true }).stdout.trim()).toBe(`0 ${EPERM}`);
    writeFileSync(join(dir, 'prod.yaml'), readFileSync(join(dir, 'setns.yaml'), 'utf8').replace('namespace: demo', 'namespace: prod'));
    const disjoint = armorkit(['run', '--policy', 'ksp.yaml', '--policy', 'prod.yaml', '--', 'true'], { cwd: dir, built: true });
    expect(disjoint.status).toBe(1);
    expect(disjoint.stderr).toContain('prod.yaml:3:42: /metadata/namespace: block-setns is of namespace prod and block-stuff of demo: no container is selected by both');
  });
});
