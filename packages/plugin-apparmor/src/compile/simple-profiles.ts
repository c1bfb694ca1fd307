import type { AppArmorPlan } from '@armorkit/core';
import { ALLOW_ALL, HEADER, profileOpening, runtimeDefaultBody } from './base-profiles.js';
import { ProfileText } from './profile-text.js';
import { qualifierFor } from './qualifier.js';

const indent = (line: string) => (line === '' ? '' : `  ${line}`);

/** AlwaysAllow: every class of operation allowed; the profile exists so the container is attached to a known name. */
export function alwaysAllowProfile(plan: AppArmorPlan): ProfileText {
  return new ProfileText()
    .addAll(HEADER)
    .add(profileOpening(plan.profileName))
    .blank()
    .add('  #include <abstractions/base>')
    .blank()
    .addAll(ALLOW_ALL.map(indent))
    .add('}');
}

/** RuntimeDefault: containerd's default profile under the policy's name. */
export function runtimeDefaultProfile(plan: AppArmorPlan): ProfileText {
  return new ProfileText()
    .addAll(HEADER)
    .add(profileOpening(plan.profileName))
    .blank()
    .add('  #include <abstractions/base>')
    .blank()
    .addAll(runtimeDefaultBody(qualifierFor('deny'), { self: plan.profileName }).map(indent))
    .add('}');
}

/**
 * BehaviorModeling: an empty profile in complain mode. Nothing is allowed by a rule, so the kernel reports every
 * operation as ALLOWED and the modeller sees all of them; complain mode denies nothing.
 */
export function behaviorModelingProfile(plan: AppArmorPlan): ProfileText {
  return new ProfileText()
    .addAll(HEADER)
    .add(profileOpening(plan.profileName, true))
    .add('  # empty on purpose: in complain mode every operation is logged as ALLOWED for the behaviour model')
    .add('}');
}
