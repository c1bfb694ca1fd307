import { readFile } from 'node:fs/promises';

export interface LoadedProfile {
  name: string;
  mode: string;
}

/** `/sys/kernel/security/apparmor/profiles` lines are `name (mode)`; names may contain spaces. */
export function parseLoadedProfiles(text: string): LoadedProfile[] {
  const profiles: LoadedProfile[] = [];
  for (const line of text.split('\n')) {
    const match = /^(.*) \(([a-z_]+)\)$/.exec(line.trim());
    if (match) profiles.push({ name: match[1] ?? '', mode: match[2] ?? '' });
  }
  return profiles.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export async function listLoadedProfiles(path: string): Promise<LoadedProfile[]> {
  return parseLoadedProfiles(await readFile(path, 'utf8'));
}

/** Whether the kernel has AppArmor enabled (`Y` in /sys/module/apparmor/parameters/enabled). */
export async function appArmorEnabled(path: string): Promise<boolean> {
  try {
    return (await readFile(path, 'utf8')).trim().startsWith('Y');
  } catch {
    return false;
  }
}
