// The CRD rules, each on its own: what the API server refuses is refused at its field and line:column, with the
// reason; what it accepts (patterns searched, not fully matched) is accepted.
import { describe, expect, it } from 'vitest';
import { ksp, parse, where } from './support/parse.js';

const fileDir = (dir: string) => `  file:\n    matchDirectories:\n      - dir: ${dir}\n`;

describe('KubeArmor CRD schemas', () => {
  it('accepts a minimal policy of each kind, and one without spec', () => {
    expect(parse(ksp('  selector:\n    matchLabels: {app: web}\n' + fileDir('/etc/'))).errors).toEqual([]);
    expect(parse(ksp('  selector:\n    matchExpressions:\n      - {key: namespace, operator: In, values: [demo]}\n', 'KubeArmorClusterPolicy')).errors).toEqual([]);
    expect(parse(ksp('  nodeSelector:\n    matchLabels: {kubernetes.io/hostname: node-1}\n', 'KubeArmorHostPolicy')).errors).toEqual([]);
    expect(parse('apiVersion: security.kubearmor.com/v1\nkind: KubeArmorPolicy\nmetadata: {name: empty}\n').policies).toHaveLength(1);
  });

  it('refuses unknown fields at their key, with the field meant', () => {
    const { errors } = parse(ksp('  file:\n    matchDirectories:\n      - dir: /etc/\n        recurive: true\n'));
    expect(where(errors)).toEqual(['10:9 /spec/file/matchDirectories/0/recurive unknown-field']);
    expect(errors[0]?.message).toBe('unknown field "recurive"; did you mean "recursive"?');
  });

  it('requires dir, path and pattern, and nodeSelector of a host policy', () => {
    expect(where(parse(ksp('  file:\n    matchDirectories:\n      - recursive: true\n')).errors)).toEqual(['9:9 /spec/file/matchDirectories/0/dir required']);
    expect(where(parse(ksp('  file:\n    matchPaths:\n      - readOnly: true\n')).errors)).toEqual(['9:9 /spec/file/matchPaths/0/path required']);
    expect(where(parse(ksp('  process:\n    matchPatterns:\n      - ownerOnly: true\n')).errors)).toEqual(['9:9 /spec/process/matchPatterns/0/pattern required']);
    expect(where(parse(ksp('  severity: 3\n', 'KubeArmorHostPolicy')).errors)).toEqual(['7:3 /spec/nodeSelector required']);
    // process.matchPaths needs no path: execname names the binary instead
    expect(parse(ksp('  process:\n    matchPaths:\n      - execname: apt\n')).errors).toEqual([]);
  });

  it('requires fromSource on host network and capability rules only', () => {
    const host = (section: string) => ksp(`  nodeSelector:\n    matchLabels: {a: b}\n${section}`, 'KubeArmorHostPolicy');
    expect(where(parse(host('  network:\n    matchProtocols:\n      - protocol: tcp\n')).errors)).toEqual(['11:9 /spec/network/matchProtocols/0/fromSource required']);
    expect(where(parse(host('  capabilities:\n    matchCapabilities:\n      - capability: net_raw\n')).errors)).toEqual([
      '11:9 /spec/capabilities/matchCapabilities/0/fromSource required',
    ]);
    expect(parse(ksp('  network:\n    matchProtocols:\n      - protocol: tcp\n')).errors).toEqual([]);
    // and a host network rule has no pts
    expect(where(parse(host('  network:\n    matchProtocols:\n      - {protocol: tcp, pts: false, fromSource: [{path: /bin/x}]}\n')).errors)).toEqual([
      '11:25 /spec/network/matchProtocols/0/pts unknown-field',
    ]);
  });

  it('takes the action enum case-sensitively, at every level', () => {
    const { errors } = parse(ksp('  action: audit\n  file:\n    action: BLOCK\n    matchPaths:\n      - {path: /etc/x, action: Deny}\n'));
    expect(where(errors)).toEqual(['7:11 /spec/action invalid-value', '9:13 /spec/file/action invalid-value', '11:32 /spec/file/matchPaths/0/action invalid-value']);
    expect(errors[0]?.message).toBe('"audit" is not one of "Allow", "Audit", "Block"; did you mean "Audit"?');
  });

  it('bounds severity to the integers 1..10', () => {
    const { errors } = parse(ksp('  severity: 0\n  file:\n    severity: 11\n    matchPaths:\n      - {path: /etc/x, severity: 2.5}\n'));
    expect(where(errors)).toEqual(['7:13 /spec/severity invalid-value', '9:15 /spec/file/severity invalid-value', '11:34 /spec/file/matchPaths/0/severity invalid-type']);
  });

  it('searches the path patterns: absolute, a file path not ending with /, a directory ending with /', () => {
    expect(where(parse(ksp(fileDir('/usr/bin'))).errors)).toEqual(['9:14 /spec/file/matchDirectories/0/dir invalid-value']);
    expect(where(parse(ksp(fileDir('etc/'))).errors)).toEqual(['9:14 /spec/file/matchDirectories/0/dir invalid-value']);
    expect(parse(ksp(fileDir('/'))).errors).toEqual([]);
    expect(where(parse(ksp('  file:\n    matchPaths:\n      - path: /etc/\n')).errors)).toEqual(['9:15 /spec/file/matchPaths/0/path invalid-value']);
    expect(where(parse(ksp('  process:\n    matchPaths:\n      - execname: /bin/sh\n')).errors)).toEqual(['9:19 /spec/process/matchPaths/0/execname invalid-value']);
    // A syscall rule's path may be either
    expect(parse(ksp('  syscalls:\n    matchPaths:\n      - {path: /etc/, syscall: [unlink]}\n      - {path: /etc/x, syscall: [rmdir]}\n')).errors).toEqual([]);
  });

  it('limits paths to 200 characters, counted as characters', () => {
    const path = `/${'é'.repeat(199)}`;
    expect(parse(ksp(`  file:\n    matchPaths:\n      - path: ${path}\n`)).errors).toEqual([]);
    expect(where(parse(ksp(`  file:\n    matchPaths:\n      - path: ${path}x\n`)).errors)).toEqual(['9:15 /spec/file/matchPaths/0/path invalid-value']);
  });

  it('lets through what the end-anchored protocol and capability patterns let through, as the API server does', () => {
    // the API server accepts "tcp,udp" (a suffix matches): the daemon splits it
    expect(parse(ksp('  network:\n    matchProtocols:\n      - protocol: tcp,udp\n')).errors).toEqual([]);
    // upper-case capability names match no alternative: refused by the CRD
    expect(where(parse(ksp('  capabilities:\n    matchCapabilities:\n      - capability: NET_RAW\n')).errors)).toEqual([
      '9:21 /spec/capabilities/matchCapabilities/0/capability invalid-value',
    ]);
  });

  it('refuses what the CRD passes but names no protocol or capability, with the name meant', () => {
    const protocol = parse(ksp('  network:\n    matchProtocols:\n      - protocol: xtcp\n'));
    expect(where(protocol.errors)).toEqual(['9:19 /spec/network/matchProtocols/0/protocol kubearmor/unknown-protocol']);
    expect(protocol.errors[0]?.message).toContain('did you mean "tcp"?');
    const capability = parse(ksp('  capabilities:\n    matchCapabilities:\n      - capability: cap_net_raw\n'));
    expect(where(capability.errors)).toEqual(['9:21 /spec/capabilities/matchCapabilities/0/capability kubearmor/unknown-capability']);
    expect(capability.errors[0]?.message).toContain('did you mean "net_raw"?');
    expect(where(parse(ksp('  network:\n    matchProtocols:\n      - protocol: "tcp,,udp"\n')).errors)).toEqual(['9:19 /spec/network/matchProtocols/0/protocol kubearmor/unknown-protocol']);
  });

  it('takes only the CRD syscall names, and no action on syscall rules', () => {
    expect(where(parse(ksp('  syscalls:\n    matchSyscalls:\n      - syscall: [unlink, not_a_call]\n')).errors)).toEqual([
      '9:27 /spec/syscalls/matchSyscalls/0/syscall/1 invalid-value',
    ]);
    expect(where(parse(ksp('  syscalls:\n    action: Block\n')).errors)).toEqual(['8:5 /spec/syscalls/action unknown-field']);
    // only syscall rules take a source directory
    expect(parse(ksp('  syscalls:\n    matchSyscalls:\n      - {syscall: [unlink], fromSource: [{dir: /bin/, recursive: true}]}\n')).errors).toEqual([]);
    expect(where(parse(ksp('  file:\n    matchPaths:\n      - {path: /etc/x, fromSource: [{dir: /bin/}]}\n')).errors)).toEqual([
      '9:38 /spec/file/matchPaths/0/fromSource/0/dir unknown-field',
    ]);
  });

  it('gives each kind its selector: labels and label expressions, namespace expressions, node labels', () => {
    expect(where(parse(ksp('  selector:\n    matchExpressions:\n      - {key: namespace, operator: In, values: [demo]}\n')).errors)).toEqual([
      '9:15 /spec/selector/matchExpressions/0/key invalid-value',
    ]);
    expect(where(parse(ksp('  selector:\n    matchLabels: {app: web}\n', 'KubeArmorClusterPolicy')).errors)).toEqual(['8:5 /spec/selector/matchLabels unknown-field']);
    expect(where(parse(ksp('  selector:\n    matchExpressions:\n      - {key: label, operator: Exists}\n')).errors)).toEqual([
      '9:32 /spec/selector/matchExpressions/0/operator invalid-value',
    ]);
    expect(where(parse(ksp('  nodeSelector:\n    matchLabels: {a: b}\n  presets:\n    - {name: exec}\n', 'KubeArmorHostPolicy')).errors)).toEqual([
      '9:3 /spec/presets unknown-field',
    ]);
    expect(where(parse(ksp('  selector:\n    app: web\n')).errors)).toEqual(['8:5 /spec/selector/app unknown-field']);
  });

  it('limits allowedArgs to 20 and checks a host policy device section', () => {
    const args = Array.from({ length: 21 }, (_, index) => `a${index}`).join(', ');
    expect(where(parse(ksp(`  process:\n    matchPaths:\n      - {path: /bin/x, allowedArgs: [${args}]}\n`)).errors)).toEqual([
      '9:37 /spec/process/matchPaths/0/allowedArgs constraint',
    ]);
    const device = (rule: string) => ksp(`  nodeSelector:\n    matchLabels: {a: b}\n  device:\n    matchDevice:\n      - ${rule}\n`, 'KubeArmorHostPolicy');
    expect(parse(device('{class: MASS-STORAGE, level: 1, action: Block}')).errors).toEqual([]);
    expect(where(parse(device('{level: 0}')).errors)).toEqual(['11:9 /spec/device/matchDevice/0/class required', '11:17 /spec/device/matchDevice/0/level invalid-value']);
  });

  it('prunes null members as the API server does, but not null list items', () => {
    expect(parse(ksp('  selector:\n    matchExpressions: null\n  file: null\n', 'KubeArmorClusterPolicy')).errors).toEqual([]);
    expect(where(parse(ksp('  tags: [a, null]\n')).errors)).toEqual(['7:13 /spec/tags/1 invalid-type']);
  });

  it('reports the apiVersion, the kind and the name', () => {
    expect(where(parse('kind: KubeArmorPolicy\nmetadata: {name: x}\n').errors)).toEqual(['1:1 /apiVersion required']);
    expect(where(parse('apiVersion: security.accuknox.com/v1\nkind: KubeArmorPolicy\nmetadata: {name: x}\n').errors)).toEqual(['1:13 /apiVersion invalid-value']);
    const typo = parse('apiVersion: security.kubearmor.com/v1\nkind: KubeArmorPolicies\nmetadata: {name: x}\n');
    expect(where(typo.errors)).toEqual(['2:7 /kind invalid-value']);
    expect(typo.errors[0]?.message).toContain('did you mean "KubeArmorPolicy"?');
    expect(where(parse('apiVersion: security.kubearmor.com/v1\nkind: KubeArmorPolicy\nmetadata: {namespace: demo}\n').errors)).toEqual(['3:11 /metadata/name required']);
  });

  it('leaves other documents to other dialects', () => {
    const { errors, policies, ignored } = parse('apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n');
    expect([errors, policies, ignored]).toEqual([[], [], 1]);
  });

  it('checks a KubeArmorNetworkPolicy against its CRD, then refuses it as not enforced', () => {
    const nsp = (spec: string) => `apiVersion: security.kubearmor.com/v1\nkind: KubeArmorNetworkPolicy\nmetadata: {name: n}\nspec:\n${spec}`;
    expect(where(parse(nsp('  egress:\n    - {limit: 10XB}\n')).errors)).toEqual(['6:15 /spec/egress/0/limit invalid-value']);
    const valid = parse(nsp('  egress:\n    - {to: [{ipBlock: {cidr: 10.0.0.0/8}}], ports: [{port: "53", protocol: UDP}]}\n'));
    expect(where(valid.errors)).toEqual(['2:7 /kind kubearmor/unsupported-kind']);
  });
});
