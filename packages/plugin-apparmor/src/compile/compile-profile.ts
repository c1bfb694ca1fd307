import { type AppArmorPlan, type Artifact, type CompileResult, type PolicyError, policyError } from '@armorkit/core';
import { checkRawRules } from '../raw-rules.js';
import type { AppArmorBehaviorModel } from './behavior-model.js';
import { profileFromBehaviorModel } from './behavior-model.js';
import { customProfileText, readCustomProfile } from './custom-profile.js';
import { defenseInDepthProfile } from './defense-in-depth.js';
import { enhanceProtectProfile } from './enhance-protect.js';
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

export type AppArmorArtifact = Artifact<AppArmorArtifactData>;

export interface CompileOptions {
  /** The behaviour model of a profile, for DefenseInDepth with profileType BehaviorModel. */
  behaviorModel?: (profileName: string) => AppArmorBehaviorModel | undefined;
  /** JSON pointer of the policy's spec, for errors about fields the plan does not carry (default `/spec`). */
  specPointer?: string;
}

/** Plan → AppArmor profile text. Pure: same plan, same bytes. */
export function compileAppArmor(plan: AppArmorPlan, options: CompileOptions = {}): CompileResult<AppArmorArtifactData> {
  const errors: PolicyError[] = checkRawRules(plan.rawRules);
  const spec = options.specPointer ?? '/spec';
  const modePointer = `${spec}/policy/mode`;
  let text: ProfileText | undefined;
  switch (plan.mode) {
    case 'AlwaysAllow':
      text = alwaysAllowProfile(plan);
      break;
    case 'RuntimeDefault':
      text = runtimeDefaultProfile(plan);
      break;
    case 'BehaviorModeling':
      text = behaviorModelingProfile(plan);
      break;
    case 'EnhanceProtect':
      text = enhanceProtectProfile(plan);
      break;
    case 'DefenseInDepth': {
      const base = defenseInDepthBase(plan, options, errors);
      if (base) text = defenseInDepthProfile(plan, base);
      break;
    }
    default:
      errors.push(policyError('apparmor-mode', modePointer, `AppArmor does not support mode ${String(plan.mode)}`));
  }
  if (errors.length > 0 || !text) return { errors };
  const content = text.toString();
  return {
    errors: [],
    artifact: {
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
      warnings: [],
    },
  };
}

function defenseInDepthBase(plan: AppArmorPlan, options: CompileOptions, errors: PolicyError[]): ProfileText | undefined {
  if (plan.base === 'Custom') {
    if (!plan.customProfile) {
      errors.push(policyError('apparmor-custom-profile', `${options.specPointer ?? '/spec'}/policy/defenseInDepth/appArmor/customProfile`, 'profileType Custom needs a customProfile'));
      return undefined;
    }
    const read = readCustomProfile(plan.customProfile.text, plan.profileName, plan.customProfile.pointer);
    errors.push(...read.errors);
    return read.tree ? customProfileText(read.tree, plan.customProfile.pointer) : undefined;
  }
  const pointer = `${options.specPointer ?? '/spec'}/policy/defenseInDepth/appArmor/profileType`;
  const model = options.behaviorModel?.(plan.profileName);
  if (!model) {
    errors.push(policyError('apparmor-behavior-model-missing', pointer, `no behaviour model for ${plan.profileName}; run BehaviorModeling first`));
    return undefined;
  }
  // The model names the profile it was recorded for; built on another's model, the profile would carry that
  // name and loading it would replace the other policy's profile.
  if (model.profiles[0] !== undefined && model.profiles.length === 1 && model.profiles[0] !== plan.profileName) {
    errors.push(policyError('apparmor-behavior-model', pointer, `the behaviour model is for the profile ${JSON.stringify(model.profiles[0])}, not ${plan.profileName}; use the model recorded for this policy`));
    return undefined;
  }
  const result = profileFromBehaviorModel(model);
  if (result.error !== undefined) {
    errors.push(policyError('apparmor-behavior-model', pointer, result.error));
    return undefined;
  }
  return result.text;
}
