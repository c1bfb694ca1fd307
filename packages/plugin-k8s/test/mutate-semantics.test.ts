import { createEngine, definePlugin, defineEnforcer, ok, varmorDialect, type PolicyIR } from '@armorkit/core';
import builtinRules from '@armorkit/builtin-rules';
import { apparmor } from '@armorkit/plugin-apparmor';
import { describe, expect, it } from 'vitest';
import { checkMatchLabels, DEFAULT_MATCH_LABELS, parseMatchLabels } from '../src/mutate/match-labels.js';
import { mutateWorkload } from '../src/mutate/mutate-workload.js';
import { readWorkload } from '../src/mutate/workload.js';
import { applyPatch, mutate, NOW, object, policy } from './mutate-harness.js';

const GA = { major: 1, minor: 30 };
const annotationsOf = (mutated: Record<string, unknown>, path: 'pod' | 'template') => {
  const read = readWorkload(mutated);
  if (!read.ok) throw new Error('unreadable');
  return path === 'pod' || path === 'template' ? read.value.pod.annotations : {};
};
const containersOf = (mutated: Record<string, unknown>) => {
  const read = readWorkload(mutated);
  if (!read.ok) throw new Error('unreadable');
  return read.value.pod.containers;
};

const deployment = (labels = '{app: web, sandbox.varmor.org/enable: "true"}', name = 'web', namespace = 'shop') =>
  object(`
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${namespace}, labels: ${labels}}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: nginx, image: nginx}, {name: sidecar, image: busybox}]
`);

const shopPolicy = (target: Record<string, unknown>, enforcer = 'AppArmor', name = 'web') => policy({ name, namespace: 'shop', enforcer, target });

describe('matching (reference §6.3)', () => {
  const byName = shopPolicy({ kind: 'Deployment', name: 'web' });
  const options = { namespace: 'shop', matchLabels: DEFAULT_MATCH_LABELS };

  it('by name, or by a selector of matchLabels and matchExpressions on the object\'s own labels', () => {
    expect(mutate(deployment(), { ...options, policies: [byName] }).policy?.name).toBe('web');
    expect(mutate(deployment(undefined, 'api'), { ...options, policies: [byName] }).operations).toEqual([]);
    const selectors: [Record<string, unknown>, boolean][] = [
      [{ matchLabels: { app: 'web' } }, true],
      [{ matchLabels: { app: 'api' } }, false],
      [{ matchExpressions: [{ key: 'app', operator: 'In', values: ['api', 'web'] }] }, true],
      [{ matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] }, false],
      [{ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['db'] }] }, true],
      [{ matchExpressions: [{ key: 'app', operator: 'Exists' }] }, true],
      [{ matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, false],
      [{ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, false],
      [{}, true],
    ];
    for (const [selector, matches] of selectors) {
      const result = mutate(deployment(), { ...options, policies: [shopPolicy({ kind: 'Deployment', selector })] });
      expect(result.operations.length > 0, JSON.stringify(selector)).toBe(matches);
    }
  });

  it('only the same kind, and only policies of the object\'s namespace', () => {
    expect(mutate(deployment(), { ...options, policies: [shopPolicy({ kind: 'StatefulSet', name: 'web' })] }).operations).toEqual([]);
    const elsewhere = policy({ name: 'web', namespace: 'other', enforcer: 'AppArmor', target: { kind: 'Deployment', name: 'web' } });
    expect(mutate(deployment(), { ...options, policies: [elsewhere] }).operations).toEqual([]);
  });

  it('cluster policies before the namespace\'s policies, each by name', () => {
    const cluster = policy({ kind: 'VarmorClusterPolicy', name: 'zz-cluster', enforcer: 'AppArmor', target: { kind: 'Deployment', selector: { matchLabels: { app: 'web' } } } });
    const result = mutate(deployment(), { ...options, policies: [byName, cluster] });
    expect(result.policy?.kind).toBe('VarmorClusterPolicy');
    const applied = applyPatch(deployment(), result.operations);
    expect(annotationsOf(applied, 'template')['container.apparmor.security.beta.kubernetes.io/nginx']).toBe('localhost/varmor-cluster-varmor-zz-cluster');
    const second = shopPolicy({ kind: 'Deployment', name: 'web' }, 'BPF', 'a-first');
    expect(mutate(deployment(), { ...options, policies: [byName, second] }).policy?.name).toBe('a-first');
  });

  it('the match labels: required by default, others when configured (all of them), none when empty', () => {
    const unlabelled = deployment('{app: web}');
    expect(mutate(unlabelled, { ...options, policies: [byName] }).operations).toEqual([]);
    expect(mutate(unlabelled, { namespace: 'shop', matchLabels: {}, policies: [byName] }).operations.length).toBeGreaterThan(0);
    expect(mutate(deployment('{app: web, armor: "on"}'), { namespace: 'shop', matchLabels: { armor: 'on' }, policies: [byName] }).operations.length).toBeGreaterThan(0);
    expect(mutate(deployment(), { namespace: 'shop', matchLabels: { armor: 'on' }, policies: [byName] }).operations).toEqual([]);
    const both = { namespace: 'shop', matchLabels: { armor: 'on', team: 'shop' }, policies: [byName] };
    expect(mutate(deployment('{app: web, armor: "on", team: shop}'), both).operations.length).toBeGreaterThan(0);
    expect(mutate(deployment('{app: web, armor: "on"}'), both).operations).toEqual([]);
    expect(mutate(deployment('{app: web, armor: "on", team: other}'), both).operations).toEqual([]);
  });

  it('parses --match-label given any number of times, as a matchLabels map, and names the bad one', () => {
    expect(parseMatchLabels([''])).toEqual({ ok: true, value: {}, warnings: [] });
    expect(parseMatchLabels(['k='])).toEqual({ ok: true, value: { k: '' }, warnings: [] });
    const parsed = parseMatchLabels(['team=shop', 'sandbox.varmor.org/enable=true', 'team=shop']);
    expect(parsed).toEqual({ ok: true, value: { 'sandbox.varmor.org/enable': 'true', team: 'shop' }, warnings: [] });
    expect(parsed.ok && Object.keys(parsed.value)).toEqual(['sandbox.varmor.org/enable', 'team']);
    const problems: [string[], string][] = [
      [['no-equals-sign'], 'the match label "no-equals-sign" is not key=value (give an empty one to need no label)'],
      [['=value'], 'the match label "=value": "" is not a label key'],
      [['a b=c'], 'the match label "a b=c": "a b" is not a label key'],
      [['k=a b'], 'the match label "k=a b": "a b" is not a label value'],
      [['team=shop', 'team=web'], 'the match labels "team=shop" and "team=web" give the key team two values'],
      [['', 'team=shop'], 'an empty match label (no label needed) cannot be given with other match labels'],
      [['team=shop', ''], 'an empty match label (no label needed) cannot be given with other match labels'],
    ];
    for (const [texts, message] of problems) expect(parseMatchLabels(texts), texts.join(' ')).toMatchObject({ ok: false, errors: [{ code: 'match-label-invalid', message }] });
    expect(checkMatchLabels({ team: 'shop' })).toMatchObject({ ok: true });
    expect(checkMatchLabels({ team: 'a,b' })).toMatchObject({ ok: false, errors: [{ message: 'the match label team=a,b: "a,b" is not a label value' }] });
  });

  it('no policy at all: no patch', () => {
    expect(mutate(deployment(), { ...options, policies: [] })).toMatchObject({ operations: [], text: '' });
  });
});

describe('Pods and pod templates', () => {
  const template = (kind: string) =>
    object(`
apiVersion: apps/v1
kind: ${kind}
metadata: {name: db, namespace: testns}
spec:
  template:
    metadata: {annotations: {keep: me}}
    spec: {containers: [{name: db, image: postgres}]}
`);
  for (const kind of ['Deployment', 'StatefulSet', 'DaemonSet']) {
    it(`${kind}: the pod template changes, mutatedAt goes on the ${kind} itself`, () => {
      const result = mutate(template(kind), { policies: [policy({ enforcer: 'BPF', target: { kind, name: 'db' } })] });
      expect(result.operations.map((operation) => operation.path)).toEqual([
        '/metadata/annotations',
        '/spec/template/metadata/annotations/container.bpf.security.beta.varmor.org~1db',
        '/metadata/annotations/webhook.varmor.org~1mutatedAt',
      ]);
    });
  }
  it('Pod: its own metadata and spec', () => {
    const input = object('{apiVersion: v1, kind: Pod, metadata: {name: db}, spec: {containers: [{name: db, image: postgres}]}}');
    const result = mutate(input, { policies: [policy({ enforcer: 'Seccomp', mode: 'RuntimeDefault', target: { kind: 'Pod', name: 'db' } })] });
    const applied = applyPatch(input, result.operations);
    expect(applied).toEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'db', annotations: { 'container.seccomp.security.beta.varmor.org/db': 'localhost/varmor-testns-test', 'webhook.varmor.org/mutatedAt': '2026-12-02T03:04:05Z' } },
      spec: { containers: [{ name: 'db', image: 'postgres', securityContext: { seccompProfile: { type: 'RuntimeDefault' } } }] },
    });
  });
});

describe('each enforcer, opt-outs and what the user set', () => {
  const pod = (annotations: Record<string, string>, containers: unknown[], podSecurityContext?: unknown) =>
    ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', annotations }, spec: { containers, ...(podSecurityContext ? { securityContext: podSecurityContext } : {}) } }) as Record<string, unknown>;
  const all = (target: Record<string, unknown> = {}) => policy({ enforcer: 'AppArmorBPFSeccomp', target: { kind: 'Pod', name: 'p', ...target } });
  const applied = (input: Record<string, unknown>, version = GA, target: Record<string, unknown> = {}) =>
    applyPatch(input, mutate(input, { policies: [all(target)], version }).operations);

  it('Kubernetes 1.29 writes the AppArmor annotation; 1.30 and 2.0 the securityContext field', () => {
    const input = pod({}, [{ name: 'c' }]);
    expect(annotationsOf(applied(input, { major: 1, minor: 29 }), 'pod')['container.apparmor.security.beta.kubernetes.io/c']).toBe('localhost/varmor-testns-test');
    expect(containersOf(applied(input, { major: 1, minor: 29 }))[0]!.appArmorProfile).toBeUndefined();
    for (const version of [GA, { major: 2, minor: 0 }]) {
      const mutated = applied(input, version);
      expect(containersOf(mutated)[0]!.appArmorProfile).toEqual({ type: 'Localhost', localhostProfile: 'varmor-testns-test' });
      expect(annotationsOf(mutated, 'pod')['container.apparmor.security.beta.kubernetes.io/c']).toBeUndefined();
      expect(annotationsOf(mutated, 'pod')['container.apparmor.security.beta.varmor.org/c']).toBe('localhost/varmor-testns-test');
    }
  });

  it('each opt-out annotation leaves its enforcer out for that container, even when target.containers names it', () => {
    for (const [enforcer, key] of [
      ['BPF', 'container.bpf.security.beta.varmor.org/c'],
      ['AppArmor', 'container.apparmor.security.beta.varmor.org/c'],
      ['Seccomp', 'container.seccomp.security.beta.varmor.org/c'],
    ] as const) {
      const input = pod({ [key]: 'unconfined' }, [{ name: 'c' }, { name: 'd' }]);
      const result = mutate(input, { policies: [policy({ enforcer, target: { kind: 'Pod', name: 'p', containers: ['c', 'd'] } })], version: GA });
      expect(result.operations.some((operation) => operation.path.endsWith('~1c') || operation.path.startsWith('/spec/containers/0')), enforcer).toBe(false);
      expect(result.operations.some((operation) => operation.path.endsWith('~1d')), enforcer).toBe(true);
    }
  });

  it('target.containers: only those containers', () => {
    const mutated = applied(pod({}, [{ name: 'a' }, { name: 'b' }]), GA, { containers: ['b'] });
    expect(Object.keys(annotationsOf(mutated, 'pod')).sort()).toEqual([
      'container.apparmor.security.beta.varmor.org/b',
      'container.bpf.security.beta.varmor.org/b',
      'container.seccomp.security.beta.varmor.org/b',
      'webhook.varmor.org/mutatedAt',
    ]);
    expect(containersOf(mutated)[0]).not.toHaveProperty('seccompProfile');
    expect(containersOf(mutated)[0]).not.toHaveProperty('appArmorProfile');
  });

  it('a pod-level Unconfined profile leaves that enforcer out; a pod-level RuntimeDefault is overridden per container (as vArmor)', () => {
    const unconfined = applied(pod({}, [{ name: 'c' }], { seccompProfile: { type: 'Unconfined' }, appArmorProfile: { type: 'Unconfined' } }));
    expect(containersOf(unconfined)[0]).not.toHaveProperty('seccompProfile');
    expect(containersOf(unconfined)[0]).not.toHaveProperty('appArmorProfile');
    expect(Object.keys(annotationsOf(unconfined, 'pod'))).toEqual(['container.bpf.security.beta.varmor.org/c', 'webhook.varmor.org/mutatedAt']);
    const runtimeDefault = applied(pod({}, [{ name: 'c' }], { seccompProfile: { type: 'RuntimeDefault' } }));
    expect(containersOf(runtimeDefault)[0]!.seccompProfile).toEqual({ type: 'Localhost', localhostProfile: 'varmor-testns-test' });
  });

  it("the user's own AppArmor profile or annotation is kept, with a warning naming the field", () => {
    const own = pod({}, [{ name: 'c', securityContext: { appArmorProfile: { type: 'Localhost', localhostProfile: 'mine' } } }]);
    const result = mutate(own, { policies: [all()], version: GA });
    expect(result.operations.some((operation) => operation.path.includes('appArmorProfile'))).toBe(false);
    expect(result.warnings).toEqual([expect.objectContaining({ code: 'apparmor-pod-profile-kept', pointer: '/spec/containers/0/securityContext/appArmorProfile' })]);
    // Before 1.30 a kubelet annotation of the user's (not unconfined, not one of ours) is kept too.
    const annotated = pod({ 'container.apparmor.security.beta.kubernetes.io/c': 'runtime/default' }, [{ name: 'c' }]);
    const old = mutate(annotated, { policies: [all()], version: { major: 1, minor: 29 } });
    expect(old.operations.some((operation) => operation.path.includes('apparmor'))).toBe(false);
    expect(old.warnings.map((warning) => warning.code)).toEqual(['apparmor-pod-profile-kept']);
    // From 1.30 the field must agree with such an annotation, so it is not set either.
    expect(mutate(annotated, { policies: [all()], version: GA }).operations.some((operation) => operation.path.includes('appArmorProfile'))).toBe(false);
  });

  it('what armorkit set before is ours to update: a policy moving from RuntimeDefault to EnhanceProtect changes the seccompProfile', () => {
    const input = pod({}, [{ name: 'c' }]);
    const runtimeDefault = policy({ enforcer: 'Seccomp', mode: 'RuntimeDefault', target: { kind: 'Pod', name: 'p' } });
    const first = applyPatch(input, mutate(input, { policies: [runtimeDefault] }).operations);
    const enhance = policy({ enforcer: 'Seccomp', target: { kind: 'Pod', name: 'p' } });
    const second = mutate(first, { policies: [enhance], now: new Date('2026-12-03T00:00:00Z') });
    expect(second.operations).toEqual([
      { op: 'replace', path: '/spec/containers/0/securityContext/seccompProfile', value: { type: 'Localhost', localhostProfile: 'varmor-testns-test' } },
      { op: 'replace', path: '/metadata/annotations/webhook.varmor.org~1mutatedAt', value: '2026-12-03T00:00:00Z' },
    ]);
    expect(second.warnings).toEqual([]);
  });
});

describe('idempotence', () => {
  it('mutating the patched object again gives an empty patch, for every enforcer, version and kind', () => {
    for (const version of [{ major: 1, minor: 29 }, GA]) {
      for (const kind of ['Pod', 'Deployment']) {
        const input =
          kind === 'Pod'
            ? object('{apiVersion: v1, kind: Pod, metadata: {name: x}, spec: {containers: [{name: a}, {name: b, securityContext: {runAsUser: 1}}]}}')
            : object('{apiVersion: apps/v1, kind: Deployment, metadata: {name: x}, spec: {template: {spec: {containers: [{name: a}, {name: b}]}}}}');
        const policies = [policy({ enforcer: 'AppArmorBPFSeccomp', target: { kind, name: 'x' } })];
        const first = mutate(input, { policies, version });
        expect(first.operations.length).toBeGreaterThan(3);
        const once = applyPatch(input, first.operations);
        expect(first.object).toEqual(once);
        expect(mutate(once, { policies, version }).operations).toEqual([]);
        // vArmor's style applies (leniently) to the same object, and is just as idempotent.
        const varmor = mutate(input, { policies, version, style: 'varmor' });
        expect(applyPatch(input, varmor.operations, false)).toEqual(once);
        expect(mutate(once, { policies, version, style: 'varmor' }).text).toBe('');
      }
    }
  });
});

describe('names that are not plain', () => {
  it('container names with / and ~ stay one JSON-pointer segment (~1, ~0) and land in their own annotation', () => {
    const input = object('{apiVersion: v1, kind: Pod, metadata: {name: x}, spec: {containers: [{name: "a/b~c"}, {name: "~1"}]}}');
    const policies = [policy({ enforcer: 'BPF', target: { kind: 'Pod', name: 'x' } })];
    const result = mutate(input, { policies });
    expect(result.operations.map((operation) => operation.path)).toEqual([
      '/metadata/annotations',
      '/metadata/annotations/container.bpf.security.beta.varmor.org~1a~1b~0c',
      '/metadata/annotations/container.bpf.security.beta.varmor.org~1~01',
      '/metadata/annotations/webhook.varmor.org~1mutatedAt',
    ]);
    const applied = applyPatch(input, result.operations);
    expect(Object.keys(annotationsOf(applied, 'pod'))).toEqual(['container.bpf.security.beta.varmor.org/a/b~c', 'container.bpf.security.beta.varmor.org/~1', 'webhook.varmor.org/mutatedAt']);
    expect(applied.spec).toEqual(input.spec);
  });
});

describe('objects the webhook cannot read, and enforcers that disagree', () => {
  it('bad objects: an error with the field', () => {
    expect(readWorkload({ apiVersion: 'v1', kind: 'ConfigMap' })).toMatchObject({ ok: false, errors: [{ code: 'workload-kind-unsupported', pointer: '/kind' }] });
    expect(readWorkload({ apiVersion: 'v1', kind: 'Pod', metadata: {}, spec: { containers: [] } })).toMatchObject({ ok: false, errors: [{ code: 'workload-invalid', pointer: '/spec/containers' }] });
    expect(readWorkload({ apiVersion: 'v1', kind: 'Pod', metadata: { annotations: { a: 1 } }, spec: { containers: [{ name: 'c' }] } })).toMatchObject({
      ok: false,
      errors: [{ code: 'workload-invalid', pointer: '/metadata/annotations/a' }],
    });
    expect(readWorkload({ apiVersion: 'v1', kind: 'Pod', metadata: {}, spec: { containers: [{ name: 'c' }, { name: 'c' }] } })).toMatchObject({
      ok: false,
      errors: [{ code: 'workload-invalid', pointer: '/spec/containers/1/name' }],
    });
    expect(readWorkload({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: {}, spec: {} })).toMatchObject({ ok: false, errors: [{ pointer: '/spec/template' }] });
  });

  const run = (engine: ReturnType<typeof createEngine>, policies: PolicyIR[]) => {
    const workload = readWorkload(object('{apiVersion: v1, kind: Pod, metadata: {name: x}, spec: {containers: [{name: a}]}}'), 'testns');
    if (!workload.ok) throw new Error('unreadable');
    return mutateWorkload({ engine, policies, workload: workload.value, kubernetesVersion: GA, now: NOW, matchLabels: {} });
  };

  it('two enforcers wanting different values at one place: a conflict, no patch', () => {
    const rival = definePlugin(() => ({
      name: 'rival-bpf',
      meta: { name: 'rival-bpf', version: '0.0.0' },
      backends: [
        defineEnforcer({
          enforcer: 'BPF',
          compile: () => {
            throw new Error('not compiled here');
          },
          podChanges: (_plan, context) =>
            ok(context.containers.map((container) => ({ kind: 'container-security-profile' as const, container: container.name, field: 'appArmorProfile' as const, value: { type: 'Unconfined' as const } }))),
        }),
      ],
    }));
    const engine = createEngine({ plugins: [varmorDialect(), apparmor(), rival()], rulePacks: [builtinRules] });
    const result = run(engine, [policy({ enforcer: 'AppArmorBPF', target: { kind: 'Pod', name: 'x' } })]);
    expect(result).toMatchObject({ ok: false, errors: [{ code: 'pod-change-conflict', pointer: '/spec/containers/0/securityContext/appArmorProfile' }] });
  });

  it('a plugin naming a container the pod does not have, or throwing: an error naming it, no patch', () => {
    const broken = (behaviour: 'unknown-container' | 'throws') =>
      definePlugin(() => ({
        name: `broken-${behaviour}`,
        meta: { name: 'broken', version: '0.0.0' },
        backends: [
          defineEnforcer({
            enforcer: 'BPF',
            compile: () => {
              throw new Error('not compiled here');
            },
            podChanges: () => {
              if (behaviour === 'throws') throw new Error('boom');
              return ok([{ kind: 'annotation', key: 'k', value: 'v', container: 'ghost' }]);
            },
          }),
        ],
      }))();
    const bpfPolicy = [policy({ enforcer: 'BPF', target: { kind: 'Pod', name: 'x' } })];
    const unknown = run(createEngine({ plugins: [varmorDialect(), broken('unknown-container')], rulePacks: [builtinRules] }), bpfPolicy);
    expect(unknown).toMatchObject({ ok: false, errors: [{ code: 'pod-change-invalid', message: expect.stringContaining('"ghost"') }] });
    const threw = run(createEngine({ plugins: [varmorDialect(), broken('throws')], rulePacks: [builtinRules] }), bpfPolicy);
    expect(threw).toMatchObject({ ok: false, errors: [{ code: 'plugin-failed', message: 'plugin "broken-throws" failed in podChanges: boom' }] });
  });

  it('an enforcer whose plugin has no podChanges, or no plugin: the workload is not half-mutated', () => {
    const silent = definePlugin(() => ({
      name: 'silent',
      meta: { name: 'silent', version: '0.0.0' },
      backends: [defineEnforcer({ enforcer: 'BPF', compile: () => { throw new Error('unused'); } })],
    }));
    const both = [policy({ enforcer: 'AppArmorBPF', target: { kind: 'Pod', name: 'x' } })];
    expect(run(createEngine({ plugins: [varmorDialect(), apparmor(), silent()], rulePacks: [builtinRules] }), both)).toMatchObject({ ok: false, errors: [{ code: 'enforcer-cannot-do' }] });
    expect(run(createEngine({ plugins: [varmorDialect(), apparmor()], rulePacks: [builtinRules] }), both)).toMatchObject({ ok: false, errors: [{ code: 'enforcer-not-installed' }] });
  });
});
