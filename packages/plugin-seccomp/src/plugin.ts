import { definePlugin, readPackageMeta } from '@armorkit/core';
import type { Artifact, LinuxSeccomp } from '@armorkit/core';
import { type SeccompCompileOptions, seccompArtifact } from './profile/compile-plan.js';
import { confineWithSeccomp } from './run/confine.js';
import { seccompAuditRecord } from './audit/seccomp-record.js';
import { removeKubeletProfile, writeKubeletProfile } from './load/kubelet-directory.js';

export interface SeccompPluginOptions extends SeccompCompileOptions {
  /** Where `load` writes profiles for kubelet (default /var/lib/kubelet/seccomp). */
  profileDirectory?: string;
}

const meta = readPackageMeta(import.meta.url);

/** The seccomp enforcer: OCI profiles for every mode (compile), kubelet files (load), local runs under our own BPF filter (confine), audit records (its declaration, read by core). */
export const seccomp = definePlugin((options: SeccompPluginOptions = {}) => ({
  name: 'seccomp',
  meta,
  enforcers: ['Seccomp'],
  apply(engine) {
    engine.hooks.compile
      .for('seccomp')
      .tap('seccomp', (plan, context) =>
        plan.enforcer === 'Seccomp' ? seccompArtifact(plan, options, context.plan.behaviorModel, context.plan.policy.specPointer) : undefined,
      );
    engine.hooks.load
      .for('seccomp')
      .tapPromise('seccomp', (artifact, target) =>
        writeKubeletProfile(artifact as Artifact<LinuxSeccomp>, target.directory ?? options.profileDirectory),
      );
    engine.hooks.unload
      .for('seccomp')
      .tapPromise('seccomp', (profileName, target) => removeKubeletProfile(profileName, target.directory ?? options.profileDirectory));
    engine.auditRecords.register(seccompAuditRecord);
    engine.hooks.confine
      .for('seccomp')
      .tapPromise('seccomp', async (artifact) => confineWithSeccomp(artifact as Artifact<LinuxSeccomp>));
  },
}));
