// Several KubeArmor policies selecting one container are one profile (reference §2.3): the union of their rules,
// each alert naming its own policy, errors at the member's file and field, the same result for any order given.
import { createEngine, type PolicyIR, varmorDialect } from '@armorkit/core';
import { violationEvent } from '@armorkit/core/audit';
import apparmor from '@armorkit/plugin-apparmor';
import seccomp from '@armorkit/plugin-seccomp';
import { describe, expect, it } from 'vitest';
import { kubeArmorSetProfileName } from '../src/dialect/policy-ir.js';
import { kubearmor } from '../src/plugin.js';
import { where } from './support/parse.js';

const engine = createEngine({ plugins: [varmorDialect(), kubearmor({ defaultPosture: { file: 'block' } }), apparmor(), seccomp()] });

function policyDoc(name: string, body: string, { kind = 'KubeArmorPolicy', namespace = 'demo', labels = 'app: web' } = {}): string {
  const metadata = kind === 'KubeArmorPolicy' ? `  name: ${name}\n  namespace: ${namespace}\n` : `  name: ${name}\n`;
  const selector = kind === 'KubeArmorHostPolicy' ? '  nodeSelector:\n    matchLabels:\n      kubernetes.io/hostname: node1\n' : kind === 'KubeArmorPolicy' ? `  selector:\n    matchLabels:\n      ${labels}\n` : '  selector:\n    matchExpressions: []\n';
  return `apiVersion: security.kubearmor.com/v1\nkind: ${kind}\nmetadata:\n${metadata}spec:\n${selector}${body}`;
}

function read(file: string, text: string): PolicyIR {
  const { policies, errors } = engine.parse(text, file);
  expect(errors).toEqual([]);
  const [policy] = policies;
  if (!policy) throw new Error(`${file}: no policy`);
  return policy;
}

const blockShadow = read('a.yaml', policyDoc('block-shadow', '  file:\n    matchPaths:\n      - {path: /etc/shadow, action: Block, severity: 7, message: no shadow}\n  apparmor: |\n    deny /var/secret/** rw,\n'));
const allowBin = read('b.yaml', policyDoc('allow-bin', '  process:\n    matchDirectories:\n      - {dir: /usr/bin/, recursive: true, action: Allow}\n  file:\n    matchDirectories:\n      - {dir: /usr/, recursive: true, readOnly: true, action: Allow}\n'));
const auditSyscalls = read('c.yaml', policyDoc('audit-unshare', '  syscalls:\n    matchSyscalls:\n      - syscall: [unshare]\n', { kind: 'KubeArmorClusterPolicy' }));

function combined(policies: readonly PolicyIR[]): PolicyIR {
  const { policy, errors } = engine.combine(policies);
  expect(errors).toEqual([]);
  if (!policy) throw new Error('not combined');
  return policy;
}

function appArmorText(policy: PolicyIR): string {
  const { plan, errors } = engine.resolve(policy);
  expect(errors).toEqual([]);
  if (!plan) throw new Error('no plan');
  const compiled = engine.compile(plan, ['AppArmor']);
  if (!compiled.ok) throw new Error(compiled.errors.map((error) => error.message).join('\n'));
  const file = compiled.value[0]?.files[0];
  if (!file) throw new Error('no AppArmor file');
  return file.content;
}

describe('combining KubeArmor policies that select one container', () => {
  it('one profile with the union of the rules: the Allow of one whitelists the class for both, the Block of the other stays', async () => {
    const set = combined([blockShadow, allowBin]);
    expect(set.profileName).toBe(kubeArmorSetProfileName([{ kind: 'KubeArmorPolicy', name: 'block-shadow', namespace: 'demo' }, { kind: 'KubeArmorPolicy', name: 'allow-bin', namespace: 'demo' }]));
    expect(set.profileName).toMatch(/^kubearmor-demo-set-[0-9a-f]{10}$/);
    expect(set.name).toBe('allow-bin+block-shadow');
    expect(set.namespace).toBe('demo');
    const text = appArmorText(set);
    expect(text).toContain('audit deny /etc/shadow');
    expect(text).toContain('/usr/bin/');
    expect(text).toContain('audit deny /var/secret/** rw,');
    // Under the block posture the whitelisted file class loses its allow-all line: neither policy alone for block-shadow.
    expect(text).not.toMatch(/^\s*file,$/m);
    expect(appArmorText(blockShadow)).toMatch(/^\s*file,$/m);
    // The real parser takes the merged profile.
    const { plan } = engine.resolve(set);
    const compiled = plan ? engine.compile(plan, ['AppArmor']) : undefined;
    expect(compiled?.ok).toBe(true);
    if (compiled?.ok) expect((await engine.verify(compiled.value[0]!, set.source)).ok).toBe(true);
  });

  it('is the same whatever order the policies are given in', () => {
    const one = combined([blockShadow, allowBin, auditSyscalls]);
    const other = combined([auditSyscalls, allowBin, blockShadow]);
    expect(other.profileName).toBe(one.profileName);
    expect(other.spec).toEqual(one.spec);
    expect(appArmorText(other)).toBe(appArmorText(one));
    // The cluster policy's syscall rule brings seccomp in.
    expect(one.enforcers).toEqual(['AppArmor', 'Seccomp']);
  });

  it('one policy is itself, unless given a profile name (a cluster keeps a set\'s name as members go); vArmor policies are not merged', () => {
    expect(engine.combine([blockShadow]).policy).toBe(blockShadow);
    const kept = engine.combine([blockShadow], { profileName: 'kubearmor-demo-set-0123456789' }).policy;
    expect(kept?.profileName).toBe('kubearmor-demo-set-0123456789');
    expect(kept ? appArmorText(kept) : '').toContain('profile kubearmor-demo-set-0123456789');
    expect(kept ? appArmorText(kept) : '').toContain('audit deny /etc/shadow');
    const varmor = (name: string) =>
      read(`${name}.yaml`, `apiVersion: crd.varmor.org/v1beta1\nkind: VarmorPolicy\nmetadata:\n  name: ${name}\n  namespace: demo\nspec:\n  target:\n    kind: Deployment\n    selector:\n      matchLabels:\n        app: web\n  policy:\n    enforcer: AppArmor\n    mode: AlwaysAllow\n`);
    const { policy, errors } = engine.combine([varmor('one'), varmor('two')]);
    expect(policy).toBeUndefined();
    expect(errors.map((error) => `${error.code} ${error.location?.file}`)).toEqual(['policies-not-combinable two.yaml']);
    expect(errors[0]?.message).toContain('the varmor dialect applies one policy per workload');
    expect(engine.combine([varmor('one'), blockShadow]).errors[0]?.message).toContain('policies of different dialects (varmor, kubearmor) cannot be merged');
  });

  it('each alert names the policy of the rule that matched, and the rule in that policy', () => {
    const set = combined([blockShadow, allowBin]);
    const event = (action: 'DENIED' | 'AUDIT', name: string, operation: string, requested_mask: string) =>
      engine.attribute(violationEvent({ pid: 7, eventTimestamp: 1_700_000_000, enforcer: 'AppArmor', action, profileName: set.profileName, event: { operation, name, requested_mask, comm: 'cat' } }), set);
    const shadow = event('DENIED', '/etc/shadow', 'open', 'r').dialectEvent?.kubearmor;
    expect(shadow).toMatchObject({ policyName: 'block-shadow', severity: '7', message: 'no shadow', action: 'Block', pointer: '/spec/file/matchPaths/0' });
    const write = event('DENIED', '/usr/lib/os-release', 'open', 'w').dialectEvent?.kubearmor;
    expect(write).toMatchObject({ policyName: 'allow-bin', action: 'Block', pointer: '/spec/file/matchDirectories/0' });
    expect(event('DENIED', '/opt/data', 'open', 'r').dialectEvent?.kubearmor).toMatchObject({ policyName: 'DefaultPosture', action: 'Block' });
  });

  it('policies that cannot select one container are refused at the member\'s field', () => {
    const other = read('d.yaml', policyDoc('elsewhere', '  file:\n    matchPaths:\n      - {path: /etc/hosts}\n', { namespace: 'prod' }));
    const { errors } = engine.combine([blockShadow, other]);
    expect(errors.map((error) => `${error.location?.file} ${where([error])[0]}`)).toEqual(['d.yaml 5:14 /metadata/namespace kubearmor/policies-disjoint']);

    const api = read('e.yaml', policyDoc('api-only', '  file:\n    matchPaths:\n      - {path: /etc/hosts}\n', { labels: 'app: api' }));
    const labels = engine.combine([allowBin, api]).errors;
    expect(labels.map((error) => `${error.location?.file} ${where([error])[0]}`)).toEqual(['e.yaml 9:12 /spec/selector/matchLabels/app kubearmor/policies-disjoint']);
    expect(labels[0]?.message).toContain('label app is "api" here and "web" in allow-bin');

    const host = read('f.yaml', policyDoc('host', '  file:\n    matchPaths:\n      - {path: /etc/hosts}\n', { kind: 'KubeArmorHostPolicy' }));
    expect(engine.combine([blockShadow, host]).errors.map((error) => `${error.location?.file} ${error.pointer}`)).toEqual(['f.yaml /kind']);

    const nginx = read('g.yaml', policyDoc('nginx', '  file:\n    matchPaths:\n      - {path: /etc/hosts}\n', { labels: 'kubearmor.io/container.name: "[nginx]"' }));
    const sidecar = read('h.yaml', policyDoc('sidecar', '  file:\n    matchPaths:\n      - {path: /etc/hosts}\n', { labels: 'kubearmor.io/container.name: "[envoy]"' }));
    expect(engine.combine([nginx, sidecar]).errors.map((error) => `${error.location?.file} ${error.pointer} ${error.code}`)).toEqual(['g.yaml /spec/selector kubearmor/policies-disjoint']);
    // A policy that names no container applies to all: the set keeps the named one.
    expect(combined([nginx, blockShadow]).spec.target.containers).toEqual(['nginx']);
  });

  it('a union no enforcer can take exactly is refused at the rule, naming the other policy\'s rule', () => {
    // Alone, each goes to one enforcer: the pattern with a space to BPF (AppArmor matches paths), the audited capability to AppArmor (BPF can only deny it).
    const pattern = read('p.yaml', policyDoc('pattern', '  process:\n    matchPatterns:\n      - {pattern: "/usr/bin/sleep 1", action: Block}\n'));
    const capability = read('q.yaml', policyDoc('capability', '  capabilities:\n    matchCapabilities:\n      - {capability: chown, action: Audit}\n'));
    expect(pattern.enforcers).toEqual(['BPF']);
    expect(capability.enforcers).toEqual(['AppArmor']);
    const { errors } = engine.combine([pattern, capability]);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((error) => error.code === 'kubearmor/rule-unenforceable')).toBe(true);
    const atCapability = errors.find((error) => error.location?.file === 'q.yaml');
    expect(atCapability?.pointer).toBe('/spec/capabilities/matchCapabilities/0');
    expect(atCapability?.message).toContain('KubeArmorPolicy pattern /spec/process/matchPatterns/0');
  });
});
