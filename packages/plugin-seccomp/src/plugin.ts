import { defineEnforcer, definePlugin, readPackageMeta } from '@armorkit/core';
import { seccompObservations } from './audit/seccomp-observations.js';
import { type SeccompCompileOptions, seccompArtifact } from './profile/compile-plan.js';
import { RulesTextCache } from './profile/rules-text-cache.js';
import { confineWithSeccomp } from './run/confine.js';
import { seccompAuditRecord } from './audit/seccomp-record.js';
import { seccompErrors } from './errors.js';
import { listKubeletProfiles, removeKubeletProfile, writeKubeletProfile } from './load/kubelet-directory.js';
import { seccompPodChanges } from './pod/seccomp-pod-changes.js';
import { seccompArtifactFromProfile } from './profile/from-armor-profile.js';

export interface SeccompPluginOptions extends SeccompCompileOptions {
  /** Where `load` writes profiles for kubelet (default /var/lib/kubelet/seccomp). */
  profileDirectory?: string;
}

const meta = readPackageMeta(import.meta.url);

/** The seccomp enforcer: OCI profiles for every mode (compile), kubelet files (load), local runs under our own BPF filter (confine), audit records (its declaration, read by core). */
export const seccomp = definePlugin((options: SeccompPluginOptions = {}) => {
  const texts = new RulesTextCache();
  return {
    name: 'seccomp',
    meta,
    backends: [
      defineEnforcer({
        enforcer: 'Seccomp',
        compile: (plan, context) => seccompArtifact(plan, context, options, texts),
        fromProfile: seccompArtifactFromProfile,
        load: (artifact, target) => writeKubeletProfile(artifact, target.directory ?? options.profileDirectory),
        loaded: (target) => listKubeletProfiles(target.directory ?? options.profileDirectory),
        unload: (profileName, target) => removeKubeletProfile(profileName, target.directory ?? options.profileDirectory),
        confine: async (artifact) => confineWithSeccomp(artifact),
        podChanges: seccompPodChanges,
        observe: seccompObservations,
      }),
    ],
    errors: seccompErrors,
    apply(engine) {
      engine.auditRecords.register(seccompAuditRecord);
    },
  };
});
