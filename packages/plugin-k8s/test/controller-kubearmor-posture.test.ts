// The controller with `kubearmor` and NamespacePostures: a KubeArmorPolicy compiles with the posture annotations of
// its namespace (KubeArmor's kubearmor-file-posture, ...), and compiles again when they change, not when other
// annotations do. Asserted on the AppArmor profile the ArmorProfile holds.
import { afterEach, describe, expect, it } from 'vitest';
import { NamespacePostures } from '../src/controller/namespace-postures.js';
import { ApiDouble, type KubeObject, KUBEARMOR_RESOURCES } from './support/api-double.js';
import { engineWith, type Harness, KUBEARMOR_POLICIES, PROFILES, startHarness, until } from './support/controller-harness.js';

const NAMESPACES = '/api/v1/namespaces';
const PROFILE = 'kubearmor-demo-allow-hostname';
/** The allow-all line of the file class: kept under the audit posture, gone under block. */
const FILE_ALLOW_ALL = /^\s*file,$/m;

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.controller.stop();
  await harness?.api.close();
  harness = undefined;
});

/** Counts the Namespace events the controller handed on, so a test knows one was seen. */
class CountedPostures extends NamespacePostures {
  seen = 0;
  override update(namespace: string, annotations: Readonly<Record<string, string>> | undefined): boolean {
    this.seen += 1;
    return super.update(namespace, annotations);
  }
}

async function started(annotations: Record<string, string> = {}): Promise<{ h: Harness; postures: CountedPostures }> {
  const api = await new ApiDouble().start();
  for (const definition of KUBEARMOR_RESOURCES) api.define(definition);
  api.put(NAMESPACES, namespace(annotations));
  const postures = new CountedPostures();
  harness = await startHarness({ kubearmor: true, namespacePostures: postures, engine: engineWith({ namespaceAnnotations: postures.lookup }) }, api);
  return { h: harness, postures };
}

const namespace = (annotations: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo', annotations }, status: { phase: 'Active' } });
const allowHostname: KubeObject = {
  apiVersion: 'security.kubearmor.com/v1',
  kind: 'KubeArmorPolicy',
  metadata: { name: 'allow-hostname', namespace: 'demo' },
  spec: { selector: { matchLabels: { app: 'web' } }, file: { matchPaths: [{ path: '/etc/hostname' }] }, action: 'Allow' },
};
const appArmorOf = (h: Harness) => h.profileOf(PROFILE).appArmor ?? '';

describe('controller: the namespaces\' posture annotations (KubeArmorPolicy)', () => {
  it('annotating the namespace recompiles its policies: kubearmor-file-posture block drops the file allow-all, audit brings it back', async () => {
    const { h } = await started();
    h.api.put(KUBEARMOR_POLICIES, allowHostname);
    await until(() => h.api.get(PROFILES, PROFILE, 'demo'));
    await h.controller.idle();
    expect(appArmorOf(h)).toMatch(FILE_ALLOW_ALL);
    expect(appArmorOf(h)).toContain('/etc/hostname');

    h.api.put(NAMESPACES, namespace({ 'kubearmor-file-posture': 'Block' }));
    await until(() => !FILE_ALLOW_ALL.test(appArmorOf(h)));
    expect(appArmorOf(h)).toContain('/etc/hostname');
    // The other classes keep their allow-all (their posture did not move).
    expect(appArmorOf(h)).toMatch(/^\s*network,$/m);

    h.api.put(NAMESPACES, namespace({ 'kubearmor-file-posture': 'audit' }));
    await until(() => FILE_ALLOW_ALL.test(appArmorOf(h)));
  });

  it('a namespace annotated before the controller starts: the first compile has its posture', async () => {
    const { h } = await started({ 'kubearmor-file-posture': 'block' });
    h.api.put(KUBEARMOR_POLICIES, allowHostname);
    await until(() => h.api.get(PROFILES, PROFILE, 'demo'));
    expect(appArmorOf(h)).not.toMatch(FILE_ALLOW_ALL);
  });

  it('an annotation other than the three postures requeues nothing', async () => {
    const { h, postures } = await started({ 'kubearmor-file-posture': 'block' });
    h.api.put(KUBEARMOR_POLICIES, allowHostname);
    await until(() => h.api.get(PROFILES, PROFILE, 'demo'));
    await h.controller.idle();
    const { reconciles } = h.controller.stats;
    const seen = postures.seen;
    h.api.put(NAMESPACES, namespace({ 'kubearmor-file-posture': 'block', team: 'web' }));
    await until(() => postures.seen > seen);
    await h.controller.idle();
    expect(h.controller.stats.reconciles).toBe(reconciles);
    expect(appArmorOf(h)).not.toMatch(FILE_ALLOW_ALL);
  });

  it('an invalid value falls back to the default posture (audit), as KubeArmor', async () => {
    const { h } = await started({ 'kubearmor-file-posture': 'block' });
    h.api.put(KUBEARMOR_POLICIES, allowHostname);
    await until(() => h.api.get(PROFILES, PROFILE, 'demo'));
    expect(appArmorOf(h)).not.toMatch(FILE_ALLOW_ALL);
    h.api.put(NAMESPACES, namespace({ 'kubearmor-file-posture': 'deny' }));
    await until(() => FILE_ALLOW_ALL.test(appArmorOf(h)));
  });
});
