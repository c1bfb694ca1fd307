import { type Artifact, coreErrors, fail, ok, type Result } from '@armorkit/core';
import type { Profile } from '@armorkit/core/schema';
import type { AppArmorArtifact } from './compile-profile.js';
import { type DiskDeviceMarker, readDiskDeviceMarker, TEMPLATE } from './profile-text.js';

const POINTER = '/spec/profile/appArmor';
const CHILD = /^\s*profile (child_\d+) /;
const TRANSITION = /^\s*(\S.* cx -> (child_\d+),)\s*$/;

/**
 * An ArmorProfile's `spec.profile.appArmor` (the text compile wrote) → the AppArmor artifact, with what the loader
 * needs besides the text: the disk-device markers to expand, and the profile set and exec transitions compile
 * writes (children `child_N` and `TARGET cx -> child_N,` only), which the load-time backstop holds the text to.
 * The lines' policy origins are not in an ArmorProfile; each line is attributed to the profile. Pure.
 */
export function appArmorArtifactFromProfile(profile: Profile): Result<Artifact<'AppArmor'>> {
  const text = profile.appArmor;
  if (text === undefined || text.trim() === '') {
    return fail([coreErrors.error('armor-profile-invalid', POINTER, `${profile.name}: the ArmorProfile carries no AppArmor profile`)]);
  }
  const lines = text.split('\n');
  const diskDevices: DiskDeviceMarker[] = [];
  const children: string[] = [];
  const transitions: string[] = [];
  lines.forEach((line, index) => {
    const marker = readDiskDeviceMarker(line, index + 1);
    if (marker) diskDevices.push(marker);
    const child = CHILD.exec(line);
    if (child?.[1]) children.push(child[1]);
  });
  for (const line of lines) {
    const transition = TRANSITION.exec(line);
    if (transition?.[1] && transition[2] && children.includes(transition[2])) transitions.push(transition[1]);
  }
  const artifact: AppArmorArtifact = {
    enforcer: 'AppArmor',
    profileName: profile.name,
    profileMode: profile.mode,
    files: [{ suffix: 'apparmor', content: text }],
    data: {
      text,
      origins: lines.map(() => TEMPLATE),
      diskDevices,
      profiles: [profile.name, ...children.map((child) => `${profile.name}//${child}`)],
      transitions,
    },
  };
  return ok(artifact);
}
