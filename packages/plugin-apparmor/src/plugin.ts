import { type AppArmorPlan, type Artifact, PolicyErrors, definePlugin, readPackageMeta, policyError } from '@armorkit/core';
import { appArmorAuditRecord } from './audit/apparmor-record.js';
import { type AppArmorBehaviorModel, behaviorModelOf } from './compile/behavior-model.js';
import { type AppArmorArtifactData, compileAppArmor } from './compile/compile-profile.js';
import { loadProfile, unloadProfile } from './load/loader.js';
import { type AppArmorSystemPaths, DEFAULT_SYSTEM_PATHS } from './load/system-paths.js';
import { PARSER_CANDIDATES, findApparmorParser } from './verify/apparmor-parser.js';
import { verifyWithParser } from './verify/verify-artifact.js';
import { confineWithAppArmor } from './run/confine.js';

export interface AppArmorPluginOptions {
  /** Path of apparmor_parser; found in the usual places when omitted. */
  parser?: string;
  /** Where profiles are written when loaded (default /etc/apparmor.d). */
  profileDirectory?: string;
  /** System files the loader reads (tests point these elsewhere). */
  paths?: Partial<AppArmorSystemPaths>;
  /** Behaviour models for DefenseInDepth with profileType BehaviorModel. */
  behaviorModel?: (profileName: string) => AppArmorBehaviorModel | undefined;
}

const meta = readPackageMeta(import.meta.url);

/** The AppArmor enforcer: compile (pure), verify with apparmor_parser, load/unload, decode audit records. */
export const apparmor = definePlugin((options: AppArmorPluginOptions = {}) => {
  const paths: AppArmorSystemPaths = {
    ...DEFAULT_SYSTEM_PATHS,
    ...options.paths,
    ...(options.profileDirectory ? { profileDirectory: options.profileDirectory } : {}),
  };
  const parser = () => findApparmorParser(options.parser ? [options.parser] : PARSER_CANDIDATES);
  return {
    name: 'apparmor',
    meta,
    enforcers: ['AppArmor'],
    apply(engine) {
      engine.hooks.compile.for('apparmor').tap('apparmor', (plan, context) => {
        if (plan.enforcer !== 'AppArmor') return undefined;
        // A model given with the plan (armorkit compile --model) unless the engine was built with its own source.
        const fromPlan = behaviorModelOf(context.plan.behaviorModel);
        const behaviorModel = options.behaviorModel ?? (fromPlan ? () => fromPlan : undefined);
        return compileAppArmor(plan as AppArmorPlan, {
          specPointer: context.plan.policy.specPointer,
          ...(behaviorModel ? { behaviorModel } : {}),
        });
      });
      engine.hooks.verify.for('apparmor').tapPromise('apparmor', async (artifact) => {
        const found = parser();
        if (!found) {
          return [policyError('apparmor-parser-missing', '', `apparmor_parser not found (looked in ${(options.parser ? [options.parser] : PARSER_CANDIDATES).join(', ')}); install the apparmor package`)];
        }
        const [errors = []] = await verifyWithParser(found, [{ profileName: artifact.profileName, data: (artifact as Artifact<AppArmorArtifactData>).data }]);
        return errors;
      });
      engine.hooks.load.for('apparmor').tapPromise('apparmor', async (artifact, target) => {
        const found = parser();
        if (!found) throw new PolicyErrors([policyError('apparmor-parser-missing', '', 'apparmor_parser not found; install the apparmor package')]);
        const outcome = await loadProfile(artifact as Artifact<AppArmorArtifactData>, {
          parser: found,
          paths: target.directory ? { ...paths, profileDirectory: target.directory } : paths,
        });
        if (!outcome.result) throw new PolicyErrors(outcome.errors);
        return outcome.result;
      });
      engine.hooks.unload.for('apparmor').tapPromise('apparmor', async (profileName, target) => {
        const found = parser();
        if (!found) throw new PolicyErrors([policyError('apparmor-parser-missing', '', 'apparmor_parser not found; install the apparmor package')]);
        const outcome = await unloadProfile(profileName, {
          parser: found,
          paths: target.directory ? { ...paths, profileDirectory: target.directory } : paths,
        });
        if (!outcome.result) throw new PolicyErrors(outcome.errors);
        return outcome.result;
      });
      engine.hooks.confine
        .for('apparmor')
        .tapPromise('apparmor', (artifact) =>
          confineWithAppArmor(artifact as Artifact<AppArmorArtifactData>, { parser: parser(), paths }),
        );
      engine.auditRecords.register(appArmorAuditRecord);
    },
  };
});
