import { expandDiskDevices } from './disk-devices.js';
import { mountFlagMasks } from './mount-flags.js';
import { parsePathPattern } from './path-pattern.js';
import type { BpfMountRule, RuleOrigin } from './profile.js';

/** The kernel's filesystem-type buffer is 16 bytes with its NUL. */
export const FSTYPE_MAX_BYTES = 15;

export interface MountSpec {
  sourcePattern: string;
  fstype: string;
  flags: readonly string[];
}

/** Mount rules for a source pattern (one per disk device for the disk-device marker), fstype and flag names. */
export function mountRules(spec: MountSpec, mode: number, origin: RuleOrigin, diskDevices: readonly string[]): BpfMountRule[] | { problem: string } {
  const masks = mountFlagMasks(spec.flags);
  if ('unknown' in masks) return { problem: `unknown mount flag ${JSON.stringify(masks.unknown)}` };
  if (spec.fstype.length === 0 || Buffer.byteLength(spec.fstype) > FSTYPE_MAX_BYTES) {
    return { problem: `fstype ${JSON.stringify(spec.fstype)} must be 1 to ${FSTYPE_MAX_BYTES} bytes` };
  }
  const rules: BpfMountRule[] = [];
  for (const text of expandDiskDevices(spec.sourcePattern, diskDevices)) {
    const parsed = parsePathPattern(text, 'mount-source');
    if ('problem' in parsed) return { problem: parsed.problem };
    rules.push({ mode, pattern: parsed.pattern, fstype: spec.fstype, ...masks, origin });
  }
  return rules;
}
