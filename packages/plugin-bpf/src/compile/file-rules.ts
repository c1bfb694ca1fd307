import type { BpfFilePermission } from '@armorkit/core';
import type { FilePermission } from '@armorkit/core/schema';
import { expandDiskDevices } from './disk-devices.js';
import { parsePathPattern } from './path-pattern.js';
import { fileAccessMask, hasExec } from './permissions.js';
import type { BpfExecRule, BpfFileRule, RuleOrigin } from './profile.js';

/**
 * A pattern with permissions → file rules (read/write/append) and exec rules (exec), one per disk device for the
 * disk-device marker, each with the rule's mode (vArmor's agent drops the mode there, Q3).
 */
export function fileRules(
  patternText: string,
  permissions: readonly (FilePermission | BpfFilePermission)[],
  mode: number,
  origin: RuleOrigin,
  diskDevices: readonly string[],
): { files: BpfFileRule[]; processes: BpfExecRule[] } | { problem: string } {
  const files: BpfFileRule[] = [];
  const processes: BpfExecRule[] = [];
  const access = fileAccessMask(permissions);
  const exec = hasExec(permissions);
  for (const text of expandDiskDevices(patternText, diskDevices)) {
    const parsed = parsePathPattern(text);
    if ('problem' in parsed) return { problem: parsed.problem };
    if (access !== 0) files.push({ mode, permissions: access, pattern: parsed.pattern, origin });
    if (exec) processes.push({ mode, pattern: parsed.pattern, origin });
  }
  return { files, processes };
}
