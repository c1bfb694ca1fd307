// The controller against the API double, with nodes whose agents are simulated by writing their ArmorNodeStatus.
import { createEngine, type Engine, varmorDialect } from '@armorkit/core';
import builtinRules from '@armorkit/builtin-rules';
import type { Profile } from '@armorkit/core/schema';
import { apparmor } from '@armorkit/plugin-apparmor';
import { bpf } from '@armorkit/plugin-bpf';
import { kubearmor, type KubeArmorPluginOptions } from '@armorkit/plugin-kubearmor';
import { networkproxy } from '@armorkit/plugin-networkproxy';
import { seccomp } from '@armorkit/plugin-seccomp';
import { type Controller, type ControllerOptions, startController } from '../../src/controller/controller.js';
import { profileSetHash } from '../../src/node-status/profile-set.js';
import { NODE_STATUS_API_VERSION, NODE_STATUS_KIND, storedProfileDigest } from '../../src/node-status/schema.js';
import { ApiDouble, type KubeObject } from './api-double.js';

/** The engine of the tests; `kubeArmor`: the kubearmor plugin's options (the namespaces' posture lookup). */
export const engineWith = (kubeArmor: KubeArmorPluginOptions = {}): Engine =>
  createEngine({ plugins: [varmorDialect(), kubearmor(kubeArmor), apparmor(), seccomp(), bpf(), networkproxy()], rulePacks: [builtinRules] });
export const engine: Engine = engineWith();

export const POLICIES = '/apis/crd.varmor.org/v1beta1/varmorpolicies';
export const CLUSTER_POLICIES = '/apis/crd.varmor.org/v1beta1/varmorclusterpolicies';
export const PROFILES = '/apis/crd.varmor.org/v1beta1/armorprofiles';
export const NODE_STATUSES = '/apis/armorkit.dev/v1alpha1/armornodestatuses';
export const EVENTS = '/api/v1/events';
export const SECRETS = '/api/v1/secrets';
export const LEASES = '/apis/coordination.k8s.io/v1/leases';
export const KUBEARMOR_POLICIES = '/apis/security.kubearmor.com/v1/kubearmorpolicies';
export const KUBEARMOR_CLUSTER_POLICIES = '/apis/security.kubearmor.com/v1/kubearmorclusterpolicies';
export const KUBEARMOR_HOST_POLICIES = '/apis/security.kubearmor.com/v1/kubearmorhostpolicies';

/** A manager made quick for tests: no tool checks, short waits and a short Lease (no timing is asserted on them). */
export const QUICK_MANAGER = {
  verify: false,
  debounce: 10,
  retryInitial: 5,
  backoff: { initial: 5, max: 40 },
  leaseDuration: 2_000,
  renewDeadline: 1_500,
  retryPeriod: 100,
} as const;

export interface PolicyDocument extends KubeObject {
  spec: { target: Record<string, unknown>; policy: Record<string, unknown>; updateExistingWorkloads?: boolean };
}

export function varmorPolicy(name: string, policy: Record<string, unknown> = {}, kind: 'VarmorPolicy' | 'VarmorClusterPolicy' = 'VarmorPolicy'): PolicyDocument {
  return {
    apiVersion: 'crd.varmor.org/v1beta1',
    kind,
    metadata: { name, ...(kind === 'VarmorPolicy' ? { namespace: 'demo' } : {}), labels: { team: 'web' } },
    spec: {
      target: { kind: 'Deployment', name: 'web' },
      policy: { enforcer: 'AppArmor', mode: 'EnhanceProtect', enhanceProtect: { hardeningRules: ['disable-cap-privileged'] }, ...policy },
    },
  };
}

/** Polls until `check` holds; the test's own timeout bounds it (no timing is asserted). */
export async function until<T>(check: () => T | undefined | false): Promise<T> {
  for (;;) {
    const value = check();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export interface NodeReport {
  namespace: string;
  name: string;
  profile: Profile;
  state?: 'succeeded' | 'failed';
  message?: string;
}

/**
 * What the node's agent would write: its ArmorNodeStatus, with a fresh heartbeat. `reports` is the whole set of
 * ArmorProfiles the node processed (as an agent's pass does: every one it saw), each applied or failed.
 */
export function reportNode(api: ApiDouble, node: string, reports: readonly NodeReport[], heartbeat = new Date()): void {
  const digestOf = (report: NodeReport) => storedProfileDigest({ spec: { profile: report.profile } });
  api.put(NODE_STATUSES, {
    apiVersion: NODE_STATUS_API_VERSION,
    kind: NODE_STATUS_KIND,
    metadata: { name: node },
    status: {
      enforcers: ['AppArmor', 'BPF', 'Seccomp', 'NetworkProxy'],
      appliedSet: profileSetHash(reports.map((report) => [`${report.namespace}/${report.name}`, digestOf(report)] as const)),
      profileCount: reports.length,
      failed: reports
        .filter((report) => report.state === 'failed')
        .map((report) => ({ namespace: report.namespace, name: report.name, digest: digestOf(report), message: report.message ?? 'failed', lastTransitionTime: heartbeat.toISOString() }))
        .sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`)),
      heartbeatTime: heartbeat.toISOString(),
    },
  });
}

export interface Harness {
  api: ApiDouble;
  controller: Controller;
  log: string[];
  /** The stored ArmorProfile's spec.profile, as an agent reads it. */
  profileOf(name: string, namespace?: string): Profile;
  statusOf(name: string, collection?: string, namespace?: string): Record<string, unknown> & { phase?: string; ready?: boolean; conditions?: { type: string; status: string; reason?: string; message?: string }[] };
  events(): { reason: string; type: string; message: string; involvedObject: { kind: string; name: string } }[];
}

export async function startHarness(overrides: Partial<ControllerOptions> = {}, api?: ApiDouble): Promise<Harness> {
  const double = api ?? (await new ApiDouble().start());
  const log: string[] = [];
  const controller = startController({
    engine,
    kubeConfig: double.kubeConfig(),
    namespace: 'armorkit',
    debounce: 10,
    verify: false,
    retryInitial: 5,
    backoff: { initial: 5, max: 40 },
    log: (line) => log.push(line),
    ...overrides,
  });
  await controller.ready;
  return {
    api: double,
    controller,
    log,
    profileOf: (name, namespace = 'demo') => (double.get(PROFILES, name, namespace)?.spec as { profile: Profile }).profile,
    statusOf: (name, collection = POLICIES, namespace = collection === POLICIES ? 'demo' : undefined) =>
      (double.get(collection, name, namespace)?.status ?? {}) as ReturnType<Harness['statusOf']>,
    events: () => double.list(EVENTS) as unknown as ReturnType<Harness['events']>,
  };
}
