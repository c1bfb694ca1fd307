import type { ArmorProfileModel } from '@armorkit/core';
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

/** A profile from what the modeller saw (reference §2.6); names the profile after the model's single profile. */
export function profileFromBehaviorModel(model: AppArmorBehaviorModel, origin = { pointer: '', source: 'behaviour model' }): BehaviorModelResult {
  if (model.profiles.length === 0) return { error: 'the behaviour model holds no AppArmor profile (no behaviour was recorded)' };
  if (model.profiles.length > 1) return { error: `the behaviour model holds ${model.profiles.length} AppArmor profiles; expected one` };
  const name = model.profiles[0] ?? '';
  const text = new ProfileText().addAll(HEADER).add(profileOpening(name)).blank().add('  #include <abstractions/base>');
  const section = (title: string, lines: string[]) => {
    text.blank().add(`  # ---- ${title} ----`);
    text.addAll(lines.map((line) => `  ${line}`), origin);
  };
  section('EXEC', sortedUnique((model.executions ?? []).map((path) => `${path} ix,`)));
  section(
    'FILE',
    sortedUnique(
      (model.files ?? []).map((file) => {
        const letters = new Set(file.permissions.join('').split(''));
        if (letters.has('w')) letters.delete('a');
        return `${file.owner ? 'owner ' : ''}${file.path} ${[...letters].sort().join('')},`;
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
