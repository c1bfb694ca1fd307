// Defaults, inheritance, comma expansion, targets and selectors of parsed KubeArmor policies.
import { describe, expect, it } from 'vitest';
import { selectsContainer, selectsNode, selectsPod } from '../src/entries/parse.js';
import { ksp, parse } from './support/parse.js';

const only = (text: string) => {
  const { policies, errors } = parse(text);
  expect(errors).toEqual([]);
  expect(policies).toHaveLength(1);
  return policies[0]!;
};

describe('defaults and inheritance', () => {
  it('defaults to action Block, severity 1, no tags, no message', () => {
    const rule = only(ksp('  file:\n    matchPaths:\n      - path: /etc/shadow\n')).rules.file.paths[0];
    expect(rule).toEqual({
      action: 'Block',
      severity: 1,
      tags: [],
      message: '',
      pointer: '/spec/file/matchPaths/0',
      path: '/etc/shadow',
      readOnly: false,
      ownerOnly: false,
      fromSource: [],
    });
  });

  it('takes each field from the rule, else the section, else the spec, independently', () => {
    const policy = only(
      ksp(
        '  action: Audit\n  severity: 2\n  tags: [spec]\n  message: from spec\n' +
          '  process:\n    severity: 5\n    tags: [section]\n    matchPaths:\n      - {path: /bin/a}\n      - {path: /bin/b, action: Allow, message: own, tags: []}\n' +
          '  file:\n    action: Block\n    matchDirectories:\n      - {dir: /etc/, severity: 9}\n',
      ),
    );
    const [a, b] = policy.rules.process.paths;
    expect([a?.action, a?.severity, a?.tags, a?.message]).toEqual(['Audit', 5, ['section'], 'from spec']);
    // an empty tag list is unset, so the section's apply
    expect([b?.action, b?.severity, b?.tags, b?.message]).toEqual(['Allow', 5, ['section'], 'own']);
    const dir = policy.rules.file.directories[0];
    expect([dir?.action, dir?.severity, dir?.tags, dir?.message, dir?.recursive]).toEqual(['Block', 9, ['spec'], 'from spec', false]);
  });

  it('makes syscall rules Audit whatever the spec says, with the section then spec severity, tags and message', () => {
    const policy = only(ksp('  action: Block\n  tags: [t]\n  syscalls:\n    severity: 4\n    matchSyscalls:\n      - syscall: [unlink]\n    matchPaths:\n      - {path: /etc/, recursive: true, syscall: [rmdir]}\n'));
    expect(policy.rules.syscalls.syscalls[0]).toMatchObject({ action: 'Audit', severity: 4, tags: ['t'], syscalls: ['unlink'], fromSource: [] });
    expect(policy.rules.syscalls.paths[0]).toMatchObject({ action: 'Audit', path: '/etc/', recursive: true, syscalls: ['rmdir'] });
  });

  it('splits protocol, domain and capability comma lists into one rule each, at the written rule', () => {
    const policy = only(
      ksp(
        '  network:\n    matchProtocols:\n      - {protocol: tcp}\n      - {protocol: "UDP, icmp", fromSource: [{path: /bin/ping}]}\n' +
          '    matchDNSQueries:\n      - {domain: "a.com,b.com"}\n  capabilities:\n    matchCapabilities:\n      - {capability: "net_raw,sys_admin"}\n',
      ),
    );
    expect(policy.rules.network.protocols.map((rule) => [rule.protocol, rule.pointer, rule.fromSource])).toEqual([
      ['tcp', '/spec/network/matchProtocols/0', []],
      ['udp', '/spec/network/matchProtocols/1', ['/bin/ping']],
      ['icmp', '/spec/network/matchProtocols/1', ['/bin/ping']],
    ]);
    expect(policy.rules.network.dnsQueries.map((rule) => rule.domain)).toEqual(['a.com', 'b.com']);
    expect(policy.rules.capabilities.map((rule) => rule.capability)).toEqual(['net_raw', 'sys_admin']);
  });

  it('keeps execname, allowedArgs, pts, ownerOnly, readOnly, patterns, presets and raw AppArmor', () => {
    const policy = only(
      ksp(
        '  action: Allow\n  apparmor: "deny /tmp/** w,"\n  presets:\n    - {name: filelessExec}\n    - {name: exec, action: Audit}\n' +
          '  process:\n    matchPaths:\n      - {execname: apt, pts: false, allowedArgs: [update]}\n    matchPatterns:\n      - {pattern: /usr/*/sh, ownerOnly: true}\n' +
          '  file:\n    matchPatterns:\n      - {pattern: /etc/*.conf, readOnly: true}\n',
      ),
    );
    expect(policy.rules.process.paths[0]).toMatchObject({ execname: 'apt', pts: false, allowedArgs: ['update'], ownerOnly: false });
    expect(policy.rules.process.paths[0]).not.toHaveProperty('path');
    expect(policy.rules.process.patterns[0]).toMatchObject({ pattern: '/usr/*/sh', ownerOnly: true, action: 'Allow' });
    expect(policy.rules.file.patterns[0]).toMatchObject({ pattern: '/etc/*.conf', readOnly: true });
    expect(policy.rules.presets).toEqual([
      { pointer: '/spec/presets/0', name: 'filelessExec', action: 'Allow' },
      { pointer: '/spec/presets/1', name: 'exec', action: 'Audit' },
    ]);
    expect(policy.apparmor).toEqual({ text: 'deny /tmp/** w,', pointer: '/spec/apparmor' });
  });

  it('hands the parsed policy on in the IR, with a profile name and no enforcer chosen yet', async () => {
    const { parseEngine } = await import('./support/parse.js');
    const [ir] = parseEngine.parse(ksp('  selector:\n    matchLabels: {app: web}\n'), 'p.yaml').policies;
    expect([ir?.dialect, ir?.kind, ir?.namespace, ir?.clusterScoped, ir?.profileName, ir?.enforcers]).toEqual(['kubearmor', 'KubeArmorPolicy', 'demo', false, 'kubearmor-demo-test', []]);
    expect(ir?.spec.target).toEqual({ kind: 'Pod', selector: { matchLabels: { app: 'web' } } });
    expect(ir?.dialectPolicy?.kubearmor?.name).toBe('test');
  });
});

describe('targets and selectors', () => {
  it('reads container names out of the selector labels', () => {
    const target = (value: string) => only(ksp(`  selector:\n    matchLabels: {app: web, kubearmor.io/container.name: "${value}"}\n`)).target;
    expect(target('[a, b,,]')).toMatchObject({ kind: 'pods', matchLabels: { app: 'web' }, containers: ['a', 'b'] });
    expect(target('[]')).toMatchObject({ containers: [] });
    expect(target('wordpress-mysql')).toMatchObject({ containers: ['wordpress-mysql'] });
    expect(selectsContainer(target('[a]'), 'a')).toBe(true);
    expect(selectsContainer(target('[a]'), 'b')).toBe(false);
    expect(selectsContainer(target(''), 'b')).toBe(true);
  });

  it('selects the pods of a KubeArmorPolicy by namespace, labels and label expressions in any order', () => {
    const target = only(
      ksp('  selector:\n    matchLabels: {app: web}\n    matchExpressions:\n      - {key: label, operator: NotIn, values: [tier=test]}\n      - {key: label, operator: In, values: [env=prod, env=stage]}\n'),
    ).target;
    if (target.kind !== 'pods') throw new Error('a pod target');
    expect(selectsPod(target, { namespace: 'demo', labels: { app: 'web', env: 'prod' } })).toBe(true);
    expect(selectsPod(target, { namespace: 'other', labels: { app: 'web', env: 'prod' } })).toBe(false);
    expect(selectsPod(target, { namespace: 'demo', labels: { app: 'api', env: 'prod' } })).toBe(false);
    expect(selectsPod(target, { namespace: 'demo', labels: { app: 'web', env: 'dev' } })).toBe(false);
    // KubeArmor would let the In override the NotIn listed before it
    expect(selectsPod(target, { namespace: 'demo', labels: { app: 'web', env: 'prod', tier: 'test' } })).toBe(false);
  });

  it('selects the pods of a KubeArmorClusterPolicy by namespace expressions, every pod without a selector', () => {
    const { target } = only(ksp('  selector:\n    matchExpressions:\n      - {key: namespace, operator: NotIn, values: [kube-system]}\n', 'KubeArmorClusterPolicy'));
    if (target.kind !== 'cluster') throw new Error('a cluster target');
    expect(selectsPod(target, { namespace: 'created-later', labels: {} })).toBe(true);
    expect(selectsPod(target, { namespace: 'kube-system', labels: {} })).toBe(false);
    const all = only(ksp('  severity: 1\n', 'KubeArmorClusterPolicy')).target;
    if (all.kind !== 'cluster') throw new Error('a cluster target');
    expect(selectsPod(all, { namespace: 'any', labels: { a: 'b' } })).toBe(true);
  });

  it('selects the nodes of a KubeArmorHostPolicy: exact, *, comma lists, reg keys, the hostname identity', () => {
    const host = (labels: string) => {
      const { target } = only(ksp(`  nodeSelector:\n    matchLabels: {${labels}}\n`, 'KubeArmorHostPolicy'));
      if (target.kind !== 'host') throw new Error('a host target');
      return target;
    };
    const node = { name: 'node-1', labels: { 'kubernetes.io/hostname': 'node-1', role: 'worker' } };
    expect(selectsNode(host('role: worker'), node)).toBe(true);
    expect(selectsNode(host('role: master'), node)).toBe(false);
    expect(selectsNode(host('role: "*"'), node)).toBe(true);
    expect(selectsNode(host('kubernetes.io/hostname: "node-2,node-1"'), node)).toBe(true);
    expect(selectsNode(host('kubearmor.io/hostname: node-1'), node)).toBe(true);
    expect(selectsNode(host('kubearmor.io/hostnamereg: "node-*"'), node)).toBe(true);
    expect(selectsNode(host('kubearmor.io/hostnamereg: "db-*"'), node)).toBe(false);
  });
});
