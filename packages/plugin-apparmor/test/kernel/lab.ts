import type { ViolationEvent } from '@armorkit/core/audit';
import { spawnSync } from 'node:child_process';
import { closeSync, constants, openSync, readSync } from 'node:fs';
import { auditRecordDecoder } from '@armorkit/core/audit';
import { DEFAULT_SYSTEM_PATHS } from '../../src/load/system-paths.js';
import { appArmorAuditRecord } from '../../src/audit/apparmor-record.js';
import { findApparmorParser } from '../../src/verify/apparmor-parser.js';
import { loadProfile, unloadProfile } from '../../src/load/loader.js';
import { compileYaml, policyYaml, type PolicyShape } from '../helpers.js';

const parser = findApparmorParser() as string;
const options = { parser, paths: DEFAULT_SYSTEM_PATHS };

/** Compiles and loads a policy; returns its profile name. */
export async function load(shape: PolicyShape): Promise<string> {
  const artifact = compileYaml(policyYaml(shape));
  const outcome = await loadProfile(artifact, options);
  if (!outcome.result) throw new Error(outcome.errors.map((e) => e.message).join('\n'));
  return artifact.profileName;
}

export async function unload(profileName: string): Promise<void> {
  await unloadProfile(profileName, options);
}

/** Runs a command confined by the profile; returns its exit status. */
export function confined(profileName: string, command: string[]): number {
  const run = spawnSync('aa-exec', ['-p', profileName, '--', ...command], { encoding: 'utf8' });
  return run.status ?? -1;
}

export function unconfinedRun(command: string[]): number {
  return spawnSync(command[0] as string, command.slice(1), { encoding: 'utf8' }).status ?? -1;
}

/** Every record in the kernel log now (non-blocking reads of /dev/kmsg until EAGAIN), decoded when AppArmor's. */
export function kernelEvents(profileName: string): ViolationEvent[] {
  const fd = openSync('/dev/kmsg', constants.O_RDONLY | constants.O_NONBLOCK);
  const buffer = Buffer.alloc(8192);
  const events: ViolationEvent[] = [];
  try {
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buffer, 0, buffer.length, null);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') break;
        if (code === 'EPIPE') continue; // records overwritten while reading
        throw error;
      }
      const event = auditRecordDecoder(appArmorAuditRecord).decodeLine(buffer.toString('utf8', 0, n));
      if (event && event.profileName === profileName) events.push(event);
    }
  } finally {
    closeSync(fd);
  }
  return events;
}
