import { type LoadTarget, type Result, defineEnforcer, definePlugin, fail, ok, readPackageMeta, resultOf } from '@armorkit/core';
import { appArmorObservations } from './audit/apparmor-observations.js';
import { appArmorAuditRecord } from './audit/apparmor-record.js';
import { behaviorModelOf } from './compile/behavior-model.js';
import { compileAppArmor } from './compile/compile-profile.js';
import { appArmorArtifactFromProfile } from './compile/from-armor-profile.js';
import { appArmorErrors, parserMissing } from './errors.js';
import { type LoadOutcome, loadedProfiles, loadProfile, unloadProfile } from './load/loader.js';
import { type AppArmorSystemPaths, DEFAULT_SYSTEM_PATHS } from './load/system-paths.js';
import { PARSER_CANDIDATES, findApparmorParser } from './verify/apparmor-parser.js';
import { verifyWithParser } from './verify/verify-artifact.js';
import { confineWithAppArmor } from './run/confine.js';
import { appArmorPodChanges } from './pod/apparmor-pod-changes.js';

export interface AppArmorPluginOptions {
  /** Path of apparmor_parser; found in the usual places when omitted. */
  parser?: string;
  /** Where profiles are written when loaded (default /etc/apparmor.d). */
  profileDirectory?: string;
  /** System files the loader reads (tests point these elsewhere). */
  paths?: Partial<AppArmorSystemPaths>;
}

const meta = readPackageMeta(import.meta.url);

const loaded = <T>(outcome: { result?: T; errors: LoadOutcome['errors'] }): Result<T> => (outcome.result ? ok(outcome.result) : fail(outcome.errors));

/** The AppArmor enforcer: compile (pure), verify with apparmor_parser, load/unload, run a command, decode audit records. */
export const apparmor = definePlugin((options: AppArmorPluginOptions = {}) => {
  const paths: AppArmorSystemPaths = {
    ...DEFAULT_SYSTEM_PATHS,
    ...options.paths,
    ...(options.profileDirectory ? { profileDirectory: options.profileDirectory } : {}),
  };
  const candidates = options.parser ? [options.parser] : PARSER_CANDIDATES;
  const parser = () => findApparmorParser(candidates);
  const pathsFor = (target: LoadTarget): AppArmorSystemPaths => (target.directory ? { ...paths, profileDirectory: target.directory } : paths);
  const backend = defineEnforcer({
    enforcer: 'AppArmor',
    compile(plan, context) {
      const behaviorModel = behaviorModelOf(context.behaviorModel);
      return compileAppArmor(plan, { specPointer: context.specPointer, ...(behaviorModel ? { behaviorModel } : {}) });
    },
    fromProfile: appArmorArtifactFromProfile,
    async verify(artifact) {
      const found = parser();
      if (!found) return fail([parserMissing(candidates)]);
      const [errors = []] = await verifyWithParser(found, [{ profileName: artifact.profileName, data: artifact.data }]);
      return resultOf(undefined, errors);
    },
    async load(artifact, target) {
      const found = parser();
      if (!found) return fail([parserMissing(candidates)]);
      return loaded(await loadProfile(artifact, { parser: found, paths: pathsFor(target) }));
    },
    loaded: async (target) => loaded(await loadedProfiles(pathsFor(target))),
    async unload(profileName, target) {
      const found = parser();
      if (!found) return fail([parserMissing(candidates)]);
      return loaded(await unloadProfile(profileName, { parser: found, paths: pathsFor(target) }));
    },
    confine: (artifact) => confineWithAppArmor(artifact, { parser: parser(), parserCandidates: candidates, paths }),
    podChanges: appArmorPodChanges,
    observe: appArmorObservations,
  });
  return {
    name: 'apparmor',
    meta,
    backends: [backend],
    errors: appArmorErrors,
    apply(engine) {
      engine.auditRecords.register(appArmorAuditRecord);
    },
  };
});
