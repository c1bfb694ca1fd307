import { type AppArmorPlan, type Artifact, coreErrors, type PolicyError, type Result, fail, ok } from '@armorkit/core';
import { checkRawRules } from '../raw-rules.js';
import type { AppArmorBehaviorModel } from './behavior-model.js';
import { profileFromBehaviorModel } from './behavior-model.js';
import { customProfileText, readCustomProfile } from './custom-profile.js';
import { defenseInDepthProfile } from './defense-in-depth.js';
import { enhanceProtectProfile } from './enhance-protect.js';
import { postureProfile } from './posture-profile.js';
import type { DiskDeviceMarker, LineOrigin, ProfileText } from './profile-text.js';
import { alwaysAllowProfile, behaviorModelingProfile, runtimeDefaultProfile } from './simple-profiles.js';

/** The AppArmor artifact's structured form: the text and, per line, the policy field it came from. */
export interface AppArmorArtifactData {
  text: string;
  /** origins[i] is line i + 1 of `text`. */
  origins: LineOrigin[];
  /** Lines the loader replaces with one rule per disk device. */
  diskDevices: DiskDeviceMarker[];
  /** Every profile the text declares, as `apparmor_parser -N` lists them: the profile, then `profile//child_N`. */
  profiles: string[];
  /** The exec transition lines compile wrote (`TARGET cx -> child_N,`); the backstop allows no other. */
  transitions: string[];
}

declare module '@armorkit/core' {
  interface ArtifactDataMap {
    AppArmor: AppArmorArtifactData;
  }
}

export type AppArmorArtifact = Artifact<'AppArmor'>;

export interface CompileOptions {
  /** The AppArmor part of the profile's behaviour model, for the BehaviorModel build. */
  behaviorModel?: AppArmorBehaviorModel;
  /** JSON pointer of the policy's spec, for errors about fields the plan does not carry (default `/spec`). */
  specPointer?: string;
}

/** Plan → AppArmor profile text, by what the plan says to build. Pure: same plan, same bytes. */
export function compileAppArmor(plan: AppArmorPlan, options: CompileOptions = {}): Result<AppArmorArtifact> {
  const errors: PolicyError[] = checkRawRules(plan.rawRules);
  let text: ProfileText | undefined;
  switch (plan.build.kind) {
    case 'AlwaysAllow':
      text = alwaysAllowProfile(plan);
      break;
    case 'RuntimeDefault':
      text = runtimeDefaultProfile(plan);
      break;
    case 'Modeling':
      text = behaviorModelingProfile(plan);
      break;
    case 'Rules':
      text = enhanceProtectProfile(plan);
      break;
    case 'Custom': {
      const read = readCustomProfile(plan.build.text, plan.profileName, plan.build.pointer);
      errors.push(...read.errors);
      if (read.tree) text = defenseInDepthProfile(plan, customProfileText(read.tree, plan.build.pointer));
      break;
    }
    case 'Posture':
      text = defenseInDepthProfile(plan, postureProfile(plan, plan.build.posture));
      break;
    case 'BehaviorModel': {
      const base = behaviorModelProfile(plan, options, errors);
      if (base) text = defenseInDepthProfile(plan, base);
      break;
    }
  }
  if (errors.length > 0 || !text) return fail(errors);
  const content = text.toString();
  return ok({
    enforcer: 'AppArmor',
    profileName: plan.profileName,
    profileMode: plan.profileMode,
    files: [{ suffix: 'apparmor', content }],
    data: {
      text: content,
      origins: text.origins,
      diskDevices: text.diskDevices,
      profiles: [plan.profileName, ...text.children.map((child) => `${plan.profileName}//${child}`)],
      transitions: text.transitions,
    },
  });
}

function behaviorModelProfile(plan: AppArmorPlan, options: CompileOptions, errors: PolicyError[]): ProfileText | undefined {
  const pointer = `${options.specPointer ?? '/spec'}/policy/defenseInDepth/appArmor/profileType`;
  const model = options.behaviorModel;
  if (!model) {
    errors.push(coreErrors.error('behavior-model-missing', pointer, `no behaviour model for ${plan.profileName}; run BehaviorModeling first`));
    return undefined;
  }
  // The model names the profile it was recorded for; built on another's model, the profile would carry that
  // name and loading it would replace the other policy's profile.
  if (model.profiles[0] !== undefined && model.profiles.length === 1 && model.profiles[0] !== plan.profileName) {
    errors.push(coreErrors.error('behavior-model-invalid', pointer, `the behaviour model is for the profile ${JSON.stringify(model.profiles[0])}, not ${plan.profileName}; use the model recorded for this policy`));
    return undefined;
  }
  const result = profileFromBehaviorModel(model);
  if (result.error !== undefined) {
    errors.push(coreErrors.error('behavior-model-invalid', pointer, result.error));
    return undefined;
  }
  return result.text;
}
