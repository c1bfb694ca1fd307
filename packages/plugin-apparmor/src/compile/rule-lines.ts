import type { AppArmorFragment, PlannedRule } from '@armorkit/core';
import type { ProfileText } from './profile-text.js';
import type { Qualifier } from './qualifier.js';

/** Writes the AppArmor lines of rules, each with the qualifier; a line two rules share is written once. */
export function addRuleLines(text: ProfileText, rules: readonly PlannedRule[], qualifier: Qualifier, indent: string): void {
  const written = new Set<string>();
  for (const planned of rules) {
    const fragment = planned.rule.fragments.apparmor as AppArmorFragment | undefined;
    const origin = { pointer: planned.pointer, source: `rule ${planned.rule.meta.id}` };
    for (const line of fragment?.lines ?? []) {
      if ('diskDevices' in line) {
        const key = `disk:${line.diskDevices}`;
        if (written.has(key)) continue;
        written.add(key);
        text.addDiskDeviceMarker(line.diskDevices, qualifier.prefix, indent, origin);
        continue;
      }
      const body = 'exec' in line ? `${line.exec} ${qualifier.exec},` : line.rule;
      if (written.has(body)) continue;
      written.add(body);
      text.add(`${indent}${qualifier.prefix}${body}`, origin);
    }
  }
}
