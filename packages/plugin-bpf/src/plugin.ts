import { type Artifact, type BpfPlan, PolicyErrors, definePlugin, policyError, readPackageMeta } from '@armorkit/core';
import { type BpfArtifactData, bpfArtifact } from './compile/bpf-artifact.js';
import type { BpfEgressResolver } from './compile/egress-resolver.js';
import { BpfEnforcer, type EnforcerOptions } from './loader/enforcer.js';
import { openBpfAuditSource } from './audit/audit-source.js';
import { nodeDiskDevices } from './node-disk-devices.js';
import { confineWithBpf } from './run/confine.js';

export interface BpfPluginOptions extends EnforcerOptions {
  /** Addresses of Kubernetes Services and Pods for toServices, toPods and the built-in Service rules. */
  resolver?: BpfEgressResolver;
  /** The node's disk devices; by default read from /proc/partitions when a policy uses a disk-device rule. */
  diskDevices?: readonly string[];
}

const meta = readPackageMeta(import.meta.url);

/**
 * The BPF-LSM enforcer: compile (pure), load/unload a profile for a mount namespace (target.mountNamespace),
 * and `armorkit run` in a mount namespace of the command's own.
 */
export const bpf = definePlugin((options: BpfPluginOptions = {}) => {
  let enforcer: BpfEnforcer | undefined;
  const open = async (): Promise<BpfEnforcer> => {
    if (enforcer) return enforcer;
    const opened = await BpfEnforcer.open(options);
    if (!opened.ok) throw new PolicyErrors([policyError(`bpf-${opened.error.code}`, '', opened.error.message)]);
    enforcer = opened.value;
    return enforcer;
  };
  return {
    name: 'bpf',
    meta,
    enforcers: ['BPF'],
    apply(engine) {
      engine.hooks.compile.for('bpf').tap('bpf', (plan, context) => {
        if (plan.enforcer !== 'BPF') return undefined;
        const diskDevices = options.diskDevices ?? nodeDiskDevices();
        return bpfArtifact(plan as BpfPlan, {
          specPointer: context.plan.policy.specPointer,
          ...(options.resolver ? { resolver: options.resolver } : {}),
          ...(diskDevices ? { diskDevices } : {}),
        });
      });
      engine.hooks.load.for('bpf').tapPromise('bpf', async (artifact, target) => {
        if (target.mountNamespace === undefined) {
          throw new PolicyErrors([
            policyError('bpf-target-missing', '', 'a BPF profile is applied to one mount namespace: give the target its mountNamespace (the nsfs inode of /proc/PID/ns/mnt)'),
          ]);
        }
        const { entries } = (artifact as Artifact<BpfArtifactData>).data;
        const applied = (await open()).applyProfile(target.mountNamespace, entries, target.podAddresses ? { podAddresses: target.podAddresses } : {});
        if (!applied.ok) throw new PolicyErrors([policyError(`bpf-${applied.error.code}`, '', applied.error.message)]);
        return {
          enforcer: 'BPF',
          profileName: artifact.profileName,
          summary: `applied ${artifact.profileName} (${artifact.profileMode}, ${entries.length} map entries) to mount namespace ${target.mountNamespace}`,
        };
      });
      engine.hooks.unload.for('bpf').tapPromise('bpf', async (profileName, target) => {
        const active = await open();
        const namespaces =
          target.mountNamespace !== undefined ? [target.mountNamespace] : active.confinedNamespaces().filter((ns) => active.profileName(ns) === profileName);
        const removed: number[] = [];
        for (const namespace of namespaces) {
          const result = active.removeProfile(namespace);
          if (!result.ok) throw new PolicyErrors([policyError(`bpf-${result.error.code}`, '', result.error.message)]);
          if (result.value) removed.push(namespace);
        }
        return {
          enforcer: 'BPF',
          profileName,
          summary: removed.length > 0 ? `removed ${profileName} from mount namespace${removed.length > 1 ? 's' : ''} ${removed.join(', ')}` : `${profileName} was not applied anywhere`,
        };
      });
      engine.hooks.auditSource.for('bpf').tapPromise('bpf', async () => openBpfAuditSource(options));
      engine.hooks.confine.for('bpf').tapPromise('bpf', async (artifact) => confineWithBpf(artifact as Artifact<BpfArtifactData>, options));
    },
  };
});
