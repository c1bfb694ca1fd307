import { type BpfPlan, definePlugin, readPackageMeta } from '@armorkit/core';
import { bpfArtifact } from './compile/bpf-artifact.js';
import type { BpfEgressResolver } from './compile/egress-resolver.js';
import { nodeDiskDevices } from './node-disk-devices.js';

export interface BpfPluginOptions {
  /** Addresses of Kubernetes Services and Pods for toServices, toPods and the built-in Service rules. */
  resolver?: BpfEgressResolver;
  /** The node's disk devices; by default read from /proc/partitions when a policy uses a disk-device rule. */
  diskDevices?: readonly string[];
}

const meta = readPackageMeta(import.meta.url);

/** The BPF-LSM enforcer: compile (pure). */
export const bpf = definePlugin((options: BpfPluginOptions = {}) => ({
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
  },
}));
