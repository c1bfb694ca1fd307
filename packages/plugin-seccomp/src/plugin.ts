import { definePlugin, readPackageMeta } from '@armorkit/core';
import { type SeccompCompileOptions, seccompArtifact } from './profile/compile-plan.js';

export type SeccompPluginOptions = SeccompCompileOptions;

const meta = readPackageMeta(import.meta.url);

/** The seccomp enforcer: OCI profiles for every mode (compile). */
export const seccomp = definePlugin((options: SeccompPluginOptions = {}) => ({
  name: 'seccomp',
  meta,
  enforcers: ['Seccomp'],
  apply(engine) {
    engine.hooks.compile.for('seccomp').tap('seccomp', (plan) => (plan.enforcer === 'Seccomp' ? seccompArtifact(plan, options) : undefined));
  },
}));
