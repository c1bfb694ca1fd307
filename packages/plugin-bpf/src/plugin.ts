import { type Result, defineEnforcer, definePlugin, fail, ok, readPackageMeta } from '@armorkit/core';
import { bpfObservations } from './audit/bpf-observations.js';
import { bpfArtifact, bpfArtifactFromProfile } from './compile/bpf-artifact.js';
import type { BpfEgressResolver } from './compile/egress-resolver.js';
import { bpfErrors, loaderError } from './errors.js';
import { BpfEnforcer, type EnforcerOptions } from './loader/enforcer.js';
import { openBpfAuditSource } from './audit/audit-source.js';
import { nodeDiskDevices } from './node-disk-devices.js';
import { confineWithBpf } from './run/confine.js';
import { bpfPodChanges } from './pod/bpf-pod-changes.js';

export interface BpfPluginOptions extends EnforcerOptions {
  /** Addresses of Kubernetes Services and Pods for toServices, toPods and the built-in Service rules. */
  resolver?: BpfEgressResolver;
  /** The node's disk devices; by default read from /proc/partitions when a policy uses a disk-device rule. */
  diskDevices?: readonly string[];
  /** vArmor's `--bpfExclusiveMode` for the mutating webhook: BPF-confined containers run AppArmor-unconfined. */
  exclusive?: boolean;
}

const meta = readPackageMeta(import.meta.url);

/**
 * The BPF-LSM enforcer: compile (pure), load/unload a profile for a mount namespace (target.mountNamespace),
 * and `armorkit run` in a mount namespace of the command's own.
 */
export const bpf = definePlugin((options: BpfPluginOptions = {}) => {
  // Opened at the first load or unload and kept for the engine's life; close() lets go of its handles.
  let enforcer: BpfEnforcer | undefined;
  const open = async (): Promise<Result<BpfEnforcer>> => {
    if (enforcer) return ok(enforcer);
    const opened = await BpfEnforcer.open(options);
    if (!opened.ok) return fail([loaderError(opened.error)]);
    enforcer = opened.value;
    return ok(enforcer);
  };
  const backend = defineEnforcer({
    enforcer: 'BPF',
    compile(plan, context) {
      const diskDevices = options.diskDevices ?? nodeDiskDevices();
      return bpfArtifact(plan, {
        specPointer: context.specPointer,
        ...(context.behaviorModel ? { behaviorModel: context.behaviorModel } : {}),
        ...(options.resolver ? { resolver: options.resolver } : {}),
        ...(diskDevices ? { diskDevices } : {}),
      });
    },
    fromProfile: bpfArtifactFromProfile,
    async load(artifact, target) {
      if (target.mountNamespace === undefined) {
        const message = 'a BPF profile is applied to one mount namespace: give the target its mountNamespace (the nsfs inode of /proc/PID/ns/mnt)';
        return fail([bpfErrors.error('bpf-target-missing', '', message)]);
      }
      const active = await open();
      if (!active.ok) return active;
      const { entries } = artifact.data;
      const applied = active.value.applyProfile(target.mountNamespace, entries, target.podAddresses ? { podAddresses: target.podAddresses } : {});
      if (!applied.ok) return fail([loaderError(applied.error)]);
      return ok({
        enforcer: 'BPF',
        profileName: artifact.profileName,
        summary: `applied ${artifact.profileName} (${artifact.profileMode}, ${entries.length} map entries) to mount namespace ${target.mountNamespace}`,
      });
    },
    async loaded() {
      const active = await open();
      if (!active.ok) return active;
      const held = active.value;
      return ok(
        held
          .confinedNamespaces()
          .flatMap((mountNamespace) => {
            const profileName = held.profileName(mountNamespace);
            return profileName === undefined ? [] : [{ profileName, mountNamespace }];
          })
          .sort((a, b) => (a.profileName < b.profileName ? -1 : a.profileName > b.profileName ? 1 : a.mountNamespace - b.mountNamespace)),
      );
    },
    async unload(profileName, target) {
      const active = await open();
      if (!active.ok) return active;
      const loaded = active.value;
      const namespaces =
        target.mountNamespace !== undefined ? [target.mountNamespace] : loaded.confinedNamespaces().filter((ns) => loaded.profileName(ns) === profileName);
      const removed: number[] = [];
      for (const namespace of namespaces) {
        const result = loaded.removeProfile(namespace);
        if (!result.ok) return fail([loaderError(result.error)]);
        if (result.value) removed.push(namespace);
      }
      return ok({
        enforcer: 'BPF',
        profileName,
        summary: removed.length > 0 ? `removed ${profileName} from mount namespace${removed.length > 1 ? 's' : ''} ${removed.join(', ')}` : `${profileName} was not applied anywhere`,
      });
    },
    confine: (artifact) => confineWithBpf(artifact, options),
    podChanges: (plan, context) => bpfPodChanges(plan, context, { exclusive: options.exclusive === true }),
    auditSource: async () => openBpfAuditSource(options),
    observe: bpfObservations,
    async close() {
      enforcer?.close();
      enforcer = undefined;
      return ok(undefined);
    },
  });
  return { name: 'bpf', meta, backends: [backend], errors: bpfErrors };
});
