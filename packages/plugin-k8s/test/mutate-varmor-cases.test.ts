import { createEngine, varmorDialect } from '@armorkit/core';
import builtinRules from '@armorkit/builtin-rules';
import { apparmor } from '@armorkit/plugin-apparmor';
import { bpf } from '@armorkit/plugin-bpf';
import { describe, expect, it } from 'vitest';
import { applyPatch, mutate, NOW_TEXT, object, op, patch, policy } from './mutate-harness.js';

// vArmor's mutation cases (reference §6.3, internal/webhooks/mutation_test.go): the same objects, the patch vArmor
// writes, byte for byte, in vArmor's operation style. Profile varmor-testns-test is policy testns/test.

const profile = 'varmor-testns-test';
const localhost = `localhost/${profile}`;
const mutatedAt = op('replace', '/metadata/annotations/webhook.varmor.org~1mutatedAt', NOW_TEXT);
const localhostProfile = { type: 'Localhost', localhostProfile: profile };
const GA = { major: 1, minor: 30 };

const deployment = (templateAnnotations: string, containers: string) =>
  object(`
apiVersion: apps/v1
kind: Deployment
metadata:
  name: 1.1-test
  namespace: test
  labels: {app: 1.1-test, environment: dev}
spec:
  replicas: 1
  selector: {matchLabels: {app: 1.1-test}}
  template:
    metadata:
      labels: {app: 1.1-test}
${templateAnnotations ? `      annotations:\n${templateAnnotations}` : ''}
    spec:
      containers:
${containers}
`);
const twoContainers = `      - {name: test1, image: schindler36/peer-server:v1.0}
      - {name: test2, image: schindler36/peer-server:v1.0}`;

const pod = (annotations: string, containers: string) =>
  object(`
apiVersion: v1
kind: Pod
metadata:
  name: 4.1-test
  namespace: test
  labels: {varmor: enable}
${annotations ? `  annotations:\n${annotations}` : ''}
spec:
  containers:
${containers}
`);

const appArmorDeployment = (containers?: string[]) => policy({ enforcer: 'AppArmor', target: { kind: 'Deployment', name: '1.1-test', ...(containers ? { containers } : {}) } });
const podPolicy = (enforcer: string, mode?: string, containers?: string[]) =>
  policy({ enforcer, ...(mode ? { mode } : {}), target: { kind: 'Pod', name: '4.1-test', ...(containers ? { containers } : {}) } });

describe("vArmor's golden patch (reference §6.3)", () => {
  it('is reproduced byte for byte: Deployment, AppArmor, Kubernetes < 1.30, both containers', () => {
    const golden =
      '[{"op": "add", "path": "/metadata/annotations", "value": {}},{"op": "add", "path": "/spec/template/metadata/annotations", "value": {}},{"op": "replace", "path": "/spec/template/metadata/annotations/container.apparmor.security.beta.kubernetes.io~1test1", "value": "localhost/varmor-testns-test"},{"op": "replace", "path": "/spec/template/metadata/annotations/container.apparmor.security.beta.kubernetes.io~1test2", "value": "localhost/varmor-testns-test"},{"op": "replace", "path": "/metadata/annotations/webhook.varmor.org~1mutatedAt", "value": "TIME_STRING"}]';
    const input = deployment('', twoContainers);
    const { text } = mutate(input, { policies: [appArmorDeployment()], style: 'varmor' });
    expect(text).toBe(golden.replace('TIME_STRING', NOW_TEXT));
  });

  it('in RFC 6902 style differs only in adding what is missing, and both styles give the same object', () => {
    const input = deployment('', twoContainers);
    const rfc = mutate(input, { policies: [appArmorDeployment()] });
    const varmor = mutate(input, { policies: [appArmorDeployment()], style: 'varmor' });
    expect(rfc.operations.map((operation) => operation.op)).toEqual(['add', 'add', 'add', 'add', 'add']);
    expect(rfc.operations.map((operation) => operation.path)).toEqual(varmor.operations.map((operation) => operation.path));
    // Strict RFC 6902 refuses vArmor's replace of a missing member; the API server's library (and fast-json-patch unvalidated) adds it.
    expect(() => applyPatch(input, varmor.operations, true)).toThrow(/OPERATION_PATH_UNRESOLVABLE|does not exist/);
    const applied = applyPatch(input, rfc.operations, true);
    expect(applyPatch(input, varmor.operations, false)).toEqual(applied);
    expect(applied).toMatchObject({
      metadata: { annotations: { 'webhook.varmor.org/mutatedAt': NOW_TEXT } },
      spec: { template: { metadata: { annotations: { 'container.apparmor.security.beta.kubernetes.io/test1': localhost, 'container.apparmor.security.beta.kubernetes.io/test2': localhost } } } },
    });
  });
});

describe("vArmor's mutation cases, vArmor's bytes", () => {
  const cases: { name: string; input: Record<string, unknown>; policies: ReturnType<typeof policy>[]; version?: { major: number; minor: number }; expected: string }[] = [
    {
      name: 'Deployment, AppArmor < 1.30: a container with the kubelet annotation unconfined is left alone',
      input: deployment('        container.apparmor.security.beta.kubernetes.io/test2: unconfined', twoContainers),
      policies: [appArmorDeployment()],
      expected: patch(op('add', '/metadata/annotations', {}), op('replace', '/spec/template/metadata/annotations/container.apparmor.security.beta.kubernetes.io~1test1', localhost), mutatedAt),
    },
    {
      name: 'Pod, AppArmor < 1.30, both containers (the pod has annotations)',
      input: pod('    b: v', '  - {name: test, image: debian:10}\n  - {name: test1, image: debian:10}'),
      policies: [podPolicy('AppArmor')],
      expected: patch(
        op('replace', '/metadata/annotations/container.apparmor.security.beta.kubernetes.io~1test', localhost),
        op('replace', '/metadata/annotations/container.apparmor.security.beta.kubernetes.io~1test1', localhost),
        mutatedAt,
      ),
    },
    {
      name: 'Pod, AppArmor < 1.30, one container unconfined by annotation',
      input: pod('    container.apparmor.security.beta.kubernetes.io/test1: unconfined', '  - {name: test, image: debian:10}\n  - {name: test1, image: debian:10}'),
      policies: [podPolicy('AppArmor')],
      expected: patch(op('replace', '/metadata/annotations/container.apparmor.security.beta.kubernetes.io~1test', localhost), mutatedAt),
    },
    {
      name: 'Pod, AppArmor < 1.30, the only targeted container unconfined: no patch',
      input: pod('    container.apparmor.security.beta.kubernetes.io/test1: unconfined', '  - {name: test, image: debian:10}\n  - {name: test1, image: debian:10}'),
      policies: [podPolicy('AppArmor', undefined, ['test1'])],
      expected: '',
    },
    {
      name: 'Deployment, BPF: a container opted out by container.bpf…/c0: unconfined',
      input: object(`
apiVersion: apps/v1
kind: Deployment
metadata: {name: 4.1-test, namespace: demo, labels: {sandbox.varmor.org/enable: "true", app: demo}}
spec:
  selector: {matchLabels: {app: demo}}
  template:
    metadata:
      labels: {app: demo}
      annotations: {container.bpf.security.beta.varmor.org/c0: unconfined}
    spec:
      containers: [{name: c0, image: debian:10}, {name: c1, image: debian:10}]
`),
      policies: [policy({ enforcer: 'BPF', target: { kind: 'Deployment', name: '4.1-test' } })],
      expected: patch(op('add', '/metadata/annotations', {}), op('replace', '/spec/template/metadata/annotations/container.bpf.security.beta.varmor.org~1c1', localhost), mutatedAt),
    },
    {
      name: 'Pod, seccomp: a securityContext is added where there is none',
      input: pod('    b: v', '  - {name: test, image: debian:10, securityContext: {runAsUser: 1001}}\n  - {name: test1, image: debian:10}'),
      policies: [podPolicy('Seccomp')],
      expected: patch(
        op('replace', '/metadata/annotations/container.seccomp.security.beta.varmor.org~1test', localhost),
        op('replace', '/spec/containers/0/securityContext/seccompProfile', localhostProfile),
        op('replace', '/metadata/annotations/container.seccomp.security.beta.varmor.org~1test1', localhost),
        op('add', '/spec/containers/1/securityContext', {}),
        op('replace', '/spec/containers/1/securityContext/seccompProfile', localhostProfile),
        mutatedAt,
      ),
    },
    {
      name: 'Pod, seccomp: a container with seccompProfile Unconfined is left alone',
      input: pod('    b: v', '  - {name: test, image: debian:10, securityContext: {runAsUser: 1001, seccompProfile: {type: Unconfined}}}\n  - {name: test1, image: debian:10, securityContext: {runAsUser: 1001}}'),
      policies: [podPolicy('Seccomp')],
      expected: patch(
        op('replace', '/metadata/annotations/container.seccomp.security.beta.varmor.org~1test1', localhost),
        op('replace', '/spec/containers/1/securityContext/seccompProfile', localhostProfile),
        mutatedAt,
      ),
    },
    {
      name: 'Pod, seccomp: a privileged container is left alone',
      input: pod('    b: v', '  - {name: test, image: debian:10, securityContext: {privileged: true}}\n  - {name: test1, image: debian:10, securityContext: {runAsUser: 1001}}'),
      policies: [podPolicy('Seccomp')],
      expected: patch(
        op('replace', '/metadata/annotations/container.seccomp.security.beta.varmor.org~1test1', localhost),
        op('replace', '/spec/containers/1/securityContext/seccompProfile', localhostProfile),
        mutatedAt,
      ),
    },
    {
      name: 'Deployment, seccomp, one container Unconfined (a Deployment without labels, matched by name)',
      input: object(`
apiVersion: apps/v1
kind: Deployment
metadata: {name: 4.1-test, namespace: test}
spec:
  selector: {matchLabels: {app: demo}}
  template:
    metadata: {labels: {app: demo}, annotations: {b: v}}
    spec:
      containers:
      - {name: test, image: debian:10, securityContext: {runAsUser: 1001, seccompProfile: {type: Unconfined}}}
      - {name: test1, image: debian:10, securityContext: {runAsUser: 1001}}
`),
      policies: [policy({ enforcer: 'Seccomp', target: { kind: 'Deployment', name: '4.1-test' } })],
      expected: patch(
        op('add', '/metadata/annotations', {}),
        op('replace', '/spec/template/metadata/annotations/container.seccomp.security.beta.varmor.org~1test1', localhost),
        op('replace', '/spec/template/spec/containers/1/securityContext/seccompProfile', localhostProfile),
        mutatedAt,
      ),
    },
    {
      name: 'Pod, seccomp, AlwaysAllow mode: the Localhost profile',
      input: pod('    b: v', '  - {name: test, image: debian:10, securityContext: {runAsUser: 1001}}\n  - {name: test1, image: debian:10}'),
      policies: [podPolicy('Seccomp', 'AlwaysAllow')],
      expected: patch(
        op('replace', '/metadata/annotations/container.seccomp.security.beta.varmor.org~1test', localhost),
        op('replace', '/spec/containers/0/securityContext/seccompProfile', localhostProfile),
        op('replace', '/metadata/annotations/container.seccomp.security.beta.varmor.org~1test1', localhost),
        op('add', '/spec/containers/1/securityContext', {}),
        op('replace', '/spec/containers/1/securityContext/seccompProfile', localhostProfile),
        mutatedAt,
      ),
    },
    {
      name: 'Pod, seccomp, RuntimeDefault mode: the runtime default profile',
      input: pod('    b: v', '  - {name: test, image: debian:10, securityContext: {runAsUser: 1001}}\n  - {name: test1, image: debian:10, securityContext: {seccompProfile: {type: Unconfined}}}'),
      policies: [podPolicy('Seccomp', 'RuntimeDefault')],
      expected: patch(
        op('replace', '/metadata/annotations/container.seccomp.security.beta.varmor.org~1test', localhost),
        op('replace', '/spec/containers/0/securityContext/seccompProfile', { type: 'RuntimeDefault' }),
        mutatedAt,
      ),
    },
    {
      name: 'Deployment, AppArmorSeccomp < 1.30: per container AppArmor then seccomp; opted-out container left alone',
      input: deployment('        container.apparmor.security.beta.kubernetes.io/test1: unconfined\n        container.seccomp.security.beta.varmor.org/test1: unconfined', twoContainers),
      policies: [policy({ enforcer: 'AppArmorSeccomp', target: { kind: 'Deployment', name: '1.1-test' } })],
      expected: patch(
        op('add', '/metadata/annotations', {}),
        op('replace', '/spec/template/metadata/annotations/container.apparmor.security.beta.kubernetes.io~1test2', localhost),
        op('replace', '/spec/template/metadata/annotations/container.seccomp.security.beta.varmor.org~1test2', localhost),
        op('add', '/spec/template/spec/containers/1/securityContext', {}),
        op('replace', '/spec/template/spec/containers/1/securityContext/seccompProfile', localhostProfile),
        mutatedAt,
      ),
    },
    {
      name: 'Deployment, AppArmorSeccomp < 1.30: AppArmor on test1 only, seccomp on both',
      input: deployment('        container.apparmor.security.beta.kubernetes.io/test2: unconfined', twoContainers),
      policies: [policy({ enforcer: 'AppArmorSeccomp', target: { kind: 'Deployment', name: '1.1-test' } })],
      expected: patch(
        op('add', '/metadata/annotations', {}),
        op('replace', '/spec/template/metadata/annotations/container.apparmor.security.beta.kubernetes.io~1test1', localhost),
        op('replace', '/spec/template/metadata/annotations/container.seccomp.security.beta.varmor.org~1test1', localhost),
        op('add', '/spec/template/spec/containers/0/securityContext', {}),
        op('replace', '/spec/template/spec/containers/0/securityContext/seccompProfile', localhostProfile),
        op('replace', '/spec/template/metadata/annotations/container.seccomp.security.beta.varmor.org~1test2', localhost),
        op('add', '/spec/template/spec/containers/1/securityContext', {}),
        op('replace', '/spec/template/spec/containers/1/securityContext/seccompProfile', localhostProfile),
        mutatedAt,
      ),
    },
    {
      name: 'Pod, AppArmor ≥ 1.30: vArmor annotation and securityContext.appArmorProfile',
      input: pod('    b: v', '  - {name: test, image: debian:10, securityContext: {runAsUser: 1001}}\n  - {name: test1, image: debian:10}'),
      policies: [podPolicy('AppArmor')],
      version: GA,
      expected: patch(
        op('replace', '/metadata/annotations/container.apparmor.security.beta.varmor.org~1test', localhost),
        op('replace', '/spec/containers/0/securityContext/appArmorProfile', localhostProfile),
        op('replace', '/metadata/annotations/container.apparmor.security.beta.varmor.org~1test1', localhost),
        op('add', '/spec/containers/1/securityContext', {}),
        op('replace', '/spec/containers/1/securityContext/appArmorProfile', localhostProfile),
        mutatedAt,
      ),
    },
    {
      name: 'Pod, AppArmor ≥ 1.30: a container with appArmorProfile Unconfined is left alone',
      input: pod('    b: v', '  - {name: test, image: debian:10, securityContext: {runAsUser: 1001, appArmorProfile: {type: Unconfined}}}\n  - {name: test1, image: debian:10, securityContext: {runAsUser: 1001}}'),
      policies: [podPolicy('AppArmor')],
      version: GA,
      expected: patch(
        op('replace', '/metadata/annotations/container.apparmor.security.beta.varmor.org~1test1', localhost),
        op('replace', '/spec/containers/1/securityContext/appArmorProfile', localhostProfile),
        mutatedAt,
      ),
    },
    {
      name: 'Deployment, AppArmor ≥ 1.30: a container opted out by container.apparmor…varmor.org/test: unconfined',
      input: object(`
apiVersion: apps/v1
kind: Deployment
metadata: {name: 4.1-test, namespace: test}
spec:
  selector: {matchLabels: {app: demo}}
  template:
    metadata: {labels: {app: demo}, annotations: {b: v, container.apparmor.security.beta.varmor.org/test: unconfined}}
    spec:
      containers:
      - {name: test, image: debian:10, securityContext: {runAsUser: 1001}}
      - {name: test1, image: debian:10, securityContext: {runAsUser: 1001}}
`),
      policies: [policy({ enforcer: 'AppArmor', target: { kind: 'Deployment', name: '4.1-test' } })],
      version: GA,
      expected: patch(
        op('add', '/metadata/annotations', {}),
        op('replace', '/spec/template/metadata/annotations/container.apparmor.security.beta.varmor.org~1test1', localhost),
        op('replace', '/spec/template/spec/containers/1/securityContext/appArmorProfile', localhostProfile),
        mutatedAt,
      ),
    },
    {
      name: 'Deployment, AppArmorSeccomp ≥ 1.30: one securityContext for both fields; template annotations added',
      input: deployment('', `      - {name: test1, image: schindler36/peer-server:v1.0}
      - {name: test2, image: schindler36/peer-server:v1.0, securityContext: {appArmorProfile: {type: Unconfined}}}`),
      policies: [policy({ enforcer: 'AppArmorSeccomp', target: { kind: 'Deployment', name: '1.1-test' } })],
      version: GA,
      expected: patch(
        op('add', '/metadata/annotations', {}),
        op('add', '/spec/template/metadata/annotations', {}),
        op('replace', '/spec/template/metadata/annotations/container.apparmor.security.beta.varmor.org~1test1', localhost),
        op('add', '/spec/template/spec/containers/0/securityContext', {}),
        op('replace', '/spec/template/spec/containers/0/securityContext/appArmorProfile', localhostProfile),
        op('replace', '/spec/template/metadata/annotations/container.seccomp.security.beta.varmor.org~1test1', localhost),
        op('replace', '/spec/template/spec/containers/0/securityContext/seccompProfile', localhostProfile),
        op('replace', '/spec/template/metadata/annotations/container.seccomp.security.beta.varmor.org~1test2', localhost),
        op('replace', '/spec/template/spec/containers/1/securityContext/seccompProfile', localhostProfile),
        mutatedAt,
      ),
    },
    {
      name: 'Pod without annotations, AppArmorSeccomp ≥ 1.30',
      input: object(`
apiVersion: v1
kind: Pod
metadata: {name: 1.1-test, namespace: test, labels: {app: 1.1-test}}
spec:
  containers:
  - {name: test1, image: schindler36/peer-server:v1.0}
  - {name: test2, image: schindler36/peer-server:v1.0, securityContext: {appArmorProfile: {type: Unconfined}}}
`),
      policies: [policy({ enforcer: 'AppArmorSeccomp', target: { kind: 'Pod', name: '1.1-test' } })],
      version: GA,
      expected: patch(
        op('add', '/metadata/annotations', {}),
        op('replace', '/metadata/annotations/container.apparmor.security.beta.varmor.org~1test1', localhost),
        op('add', '/spec/containers/0/securityContext', {}),
        op('replace', '/spec/containers/0/securityContext/appArmorProfile', localhostProfile),
        op('replace', '/metadata/annotations/container.seccomp.security.beta.varmor.org~1test1', localhost),
        op('replace', '/spec/containers/0/securityContext/seccompProfile', localhostProfile),
        op('replace', '/metadata/annotations/container.seccomp.security.beta.varmor.org~1test2', localhost),
        op('replace', '/spec/containers/1/securityContext/seccompProfile', localhostProfile),
        mutatedAt,
      ),
    },
  ];

  for (const testCase of cases) {
    it(testCase.name, () => {
      const options = { policies: testCase.policies, ...(testCase.version ? { version: testCase.version } : {}) };
      expect(mutate(testCase.input, { ...options, style: 'varmor' }).text).toBe(testCase.expected);
      // The RFC 6902 patch applies strictly, and mutating its result again changes nothing.
      const rfc = mutate(testCase.input, options);
      const applied = applyPatch(testCase.input, rfc.operations, true);
      expect(mutate(applied, options).operations).toEqual([]);
    });
  }
});

describe("vArmor's --bpfExclusiveMode (the BPF plugin's exclusive option)", () => {
  const exclusive = createEngine({ plugins: [varmorDialect(), apparmor(), bpf({ exclusive: true, diskDevices: [] })], rulePacks: [builtinRules] });
  const input = object(`
apiVersion: apps/v1
kind: Deployment
metadata: {name: 4.1-test, namespace: demo, labels: {sandbox.varmor.org/enable: "true", app: demo}}
spec:
  selector: {matchLabels: {app: demo}}
  template:
    metadata:
      labels: {app: demo}
      annotations: {container.bpf.security.beta.varmor.org/c0: unconfined}
    spec:
      containers: [{name: c0, image: debian:10}, {name: c1, image: debian:10}]
`);
  const bpfOnly = [policy({ enforcer: 'BPF', target: { kind: 'Deployment', name: '4.1-test' } })];

  it('before 1.30: the BPF annotation and the kubelet AppArmor annotation unconfined, vArmor\'s bytes', () => {
    expect(mutate(input, { policies: bpfOnly, style: 'varmor', engine: exclusive }).text).toBe(
      patch(
        op('add', '/metadata/annotations', {}),
        op('replace', '/spec/template/metadata/annotations/container.bpf.security.beta.varmor.org~1c1', localhost),
        op('replace', '/spec/template/metadata/annotations/container.apparmor.security.beta.kubernetes.io~1c1', 'unconfined'),
        mutatedAt,
      ),
    );
  });

  it('from 1.30: appArmorProfile Unconfined; with AppArmor in the policy too, its profile wins', () => {
    expect(mutate(input, { policies: bpfOnly, style: 'varmor', engine: exclusive, version: GA }).text).toBe(
      patch(
        op('add', '/metadata/annotations', {}),
        op('replace', '/spec/template/metadata/annotations/container.bpf.security.beta.varmor.org~1c1', localhost),
        op('add', '/spec/template/spec/containers/1/securityContext', {}),
        op('replace', '/spec/template/spec/containers/1/securityContext/appArmorProfile', { type: 'Unconfined' }),
        mutatedAt,
      ),
    );
    const both = [policy({ enforcer: 'AppArmorBPF', target: { kind: 'Deployment', name: '4.1-test' } })];
    const applied = applyPatch(input, mutate(input, { policies: both, engine: exclusive, version: GA }).operations);
    expect(applied).toMatchObject({ spec: { template: { spec: { containers: [{ securityContext: { appArmorProfile: localhostProfile } }, { securityContext: { appArmorProfile: localhostProfile } }] } } } });
  });
});

describe('where armorkit differs from vArmor (docs/kubernetes.md)', () => {
  it('nothing to change: no patch at all, where vArmor still adds the annotations map and mutatedAt', () => {
    const input = deployment('        container.apparmor.security.beta.kubernetes.io/test1: unconfined\n        container.apparmor.security.beta.kubernetes.io/test2: unconfined', twoContainers);
    expect(mutate(input, { policies: [appArmorDeployment()], style: 'varmor' }).text).toBe('');
  });

  it("a container's own seccompProfile is kept (vArmor replaces a RuntimeDefault or Localhost the user set), with a warning", () => {
    const input = pod('    b: v', '  - {name: test, image: debian:10, securityContext: {runAsUser: 1001, seccompProfile: {type: RuntimeDefault}}}\n  - {name: test1, image: debian:10}');
    const result = mutate(input, { policies: [podPolicy('Seccomp')], style: 'varmor' });
    expect(result.text).toBe(
      patch(
        op('replace', '/metadata/annotations/container.seccomp.security.beta.varmor.org~1test1', localhost),
        op('add', '/spec/containers/1/securityContext', {}),
        op('replace', '/spec/containers/1/securityContext/seccompProfile', localhostProfile),
        mutatedAt,
      ),
    );
    expect(result.warnings).toEqual([
      expect.objectContaining({ code: 'seccomp-pod-profile-kept', pointer: '/spec/containers/0/securityContext/seccompProfile', message: expect.stringContaining('container "test" sets its own seccompProfile (RuntimeDefault)') }),
    ]);
  });
});
