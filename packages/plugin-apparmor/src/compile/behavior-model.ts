import type { ArmorProfileModel } from '@armorkit/core/schema';
import { HEADER, profileOpening } from './base-profiles.js';
import { ProfileText } from './profile-text.js';

/** The AppArmor part of a behaviour model (vArmor's ArmorProfileModel `data.dynamicResult.appArmor`). */
export interface AppArmorBehaviorModel {
  profiles: string[];
  executions?: string[];
  files?: { path: string; owner?: boolean; permissions: string[] }[];
  capabilities?: string[];
  networks?: unknown[];
}

/** The AppArmor behaviour an ArmorProfileModel recorded (`data.dynamicResult.appArmor`), if any. */
export function behaviorModelOf(model: ArmorProfileModel | undefined): AppArmorBehaviorModel | undefined {
  const recorded = model?.data?.dynamicResult?.appArmor;
  if (!recorded) return undefined;
  return {
    profiles: recorded.profiles ?? [],
    ...(recorded.executions ? { executions: recorded.executions } : {}),
    ...(recorded.files ? { files: recorded.files } : {}),
    ...(recorded.capabilities ? { capabilities: recorded.capabilities } : {}),
    networks: recorded.networks?.sockets ?? [],
  };
}

export type BehaviorModelResult = { text: ProfileText; error?: undefined } | { text?: undefined; error: string };

const sortedUnique = (values: Iterable<string>) => [...new Set(values)].sort();

// What the modeller recorded comes from the container: a process there chooses its file names. A recorded path is
// written as one quoted AppArmor path, so it must not carry what could end the quote or the line; capability and file
// permission letters must be what AppArmor knows. Anything else makes the model unusable, not the profile wrong.
// eslint-disable-next-line no-control-regex
const UNSAFE_IN_PATH = /["\\\u0000-\u001f\u007f]/;
const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const CAPABILITY = /^[a-z_]+$/;
const FILE_PERMISSIONS = /^[rwamlkix]+$/;

function quotedPath(path: string): string | undefined {
  if (!path.startsWith('/') || UNSAFE_IN_PATH.test(path)) return undefined;
  return /[\s,#{}]/.test(path) ? `"${path}"` : path;
}

function checkModel(model: AppArmorBehaviorModel): string | undefined {
  const name = model.profiles[0] ?? '';
  if (!PROFILE_NAME.test(name)) return `the behaviour model's profile name ${JSON.stringify(name)} is not a profile name`;
  for (const path of [...(model.executions ?? []), ...(model.files ?? []).map((file) => file.path)]) {
    if (quotedPath(path) === undefined) return `the behaviour model records the path ${JSON.stringify(path)}, which cannot be written safely as an AppArmor rule`;
  }
  for (const file of model.files ?? []) {
    if (!FILE_PERMISSIONS.test(file.permissions.join(''))) return `the behaviour model records permissions ${JSON.stringify(file.permissions)} for ${file.path}`;
  }
  for (const capability of model.capabilities ?? []) {
    if (!CAPABILITY.test(capability)) return `the behaviour model records the capability ${JSON.stringify(capability)}`;
  }
  return undefined;
}

/** A profile from what the modeller saw (reference §2.6); names the profile after the model's single profile. */
export function profileFromBehaviorModel(model: AppArmorBehaviorModel, origin = { pointer: '', source: 'behaviour model' }): BehaviorModelResult {
  if (model.profiles.length === 0) return { error: 'the behaviour model holds no AppArmor profile (no behaviour was recorded)' };
  if (model.profiles.length > 1) return { error: `the behaviour model holds ${model.profiles.length} AppArmor profiles; expected one` };
  const problem = checkModel(model);
  if (problem) return { error: problem };
  const name = model.profiles[0] ?? '';
  const text = new ProfileText().addAll(HEADER).add(profileOpening(name)).blank().add('  #include <abstractions/base>');
  const section = (title: string, lines: string[]) => {
    text.blank().add(`  # ---- ${title} ----`);
    text.addAll(lines.map((line) => `  ${line}`), origin);
  };
  section('EXEC', sortedUnique((model.executions ?? []).map((path) => `${quotedPath(path)} ix,`)));
  section(
    'FILE',
    sortedUnique(
      (model.files ?? []).map((file) => {
        const letters = new Set(file.permissions.join('').split(''));
        if (letters.has('w')) letters.delete('a');
        return `${file.owner ? 'owner ' : ''}${quotedPath(file.path)} ${[...letters].sort().join('')},`;
      }),
    ),
  );
  section('CAPABILITY', sortedUnique((model.capabilities ?? []).map((cap) => `capability ${cap},`)));
  section('NETWORK', (model.networks ?? []).length > 0 ? ['network,'] : []);
  section('PTRACE', [`ptrace (trace,read,tracedby,readby) peer=${name},`]);
  section('SIGNAL', ['signal (receive) peer=unconfined,', `signal (send,receive) peer=${name},`]);
  section('ADDITIONAL', ['umount,']);
  return { text: text.add('}') };
}
