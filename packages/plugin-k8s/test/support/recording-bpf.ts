// The BPF enforcer as the agent's host tests need it: the real plugin's fromProfile (the artifact the agent reads
// from an ArmorProfile), with load / unload / loaded recorded against a table instead of the kernel's maps (this
// host has no BPF-LSM; the kernel-lab test applies them for real).
import { type Artifact, defineEnforcer, definePlugin, fail, ok } from '@armorkit/core';
import { bpf } from '@armorkit/plugin-bpf';

export interface RecordedBpf {
  /** mount namespace → profile name, as the kernel maps would hold them. */
  applied: Map<number, string>;
  calls: string[];
}

export function recordingBpf(state: RecordedBpf = { applied: new Map(), calls: [] }) {
  const real = bpf().backends?.find((backend) => backend.enforcer === 'BPF');
  if (!real || real.enforcer !== 'BPF' || !real.fromProfile) throw new Error('the BPF plugin reads no ArmorProfile');
  const fromProfile = real.fromProfile;
  const plugin = definePlugin(() => ({
    name: 'recording-bpf',
    meta: { name: 'recording-bpf', version: '0.0.0' },
    backends: [
      defineEnforcer({
        enforcer: 'BPF',
        compile: (plan, context) => real.compile(plan, context),
        fromProfile: (profile) => fromProfile(profile),
        async load(artifact: Artifact<'BPF'>, target) {
          if (target.mountNamespace === undefined) return fail([]);
          state.applied.set(target.mountNamespace, artifact.profileName);
          state.calls.push(`load ${artifact.profileName} ${target.mountNamespace} ${(target.podAddresses ?? []).join(',')}`);
          return ok({ enforcer: 'BPF', profileName: artifact.profileName, summary: `applied ${artifact.profileName} to ${target.mountNamespace}` });
        },
        async unload(profileName, target) {
          state.calls.push(`unload ${profileName} ${target.mountNamespace}`);
          if (target.mountNamespace !== undefined) state.applied.delete(target.mountNamespace);
          return ok({ enforcer: 'BPF', profileName, summary: `removed ${profileName} from ${target.mountNamespace}` });
        },
        async loaded() {
          return ok([...state.applied].map(([mountNamespace, profileName]) => ({ profileName, mountNamespace })));
        },
      }),
    ],
  }));
  return { plugin: plugin(), state };
}
