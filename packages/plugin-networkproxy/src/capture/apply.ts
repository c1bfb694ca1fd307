import { spawn } from 'node:child_process';
import { type Result, fail, ok } from '@armorkit/core';
import { networkProxyErrors } from '../errors.js';
import { RESTORE_COMMAND, removalText, restoreText } from './print.js';
import { type CaptureSettings, type IpFamily, captureRuleset, captureSettingsProblem } from './ruleset.js';

/** `ip netns` names: what `ip` accepts and nothing a shell or a path could misread. */
const NETNS_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

export interface CaptureOptions {
  /** The families to capture (default both). */
  families?: readonly IpFamily[];
}

function run(argv: readonly string[], input: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (error) => resolve({ code: null, stderr: error.message }));
    child.on('close', (code) => resolve({ code, stderr }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}

async function restore(netns: string, family: IpFamily, text: string): Promise<string | undefined> {
  const result = await run(['ip', 'netns', 'exec', netns, RESTORE_COMMAND[family], '--noflush'], text);
  return result.code === 0 ? undefined : `${RESTORE_COMMAND[family]} in network namespace ${netns} failed: ${result.stderr.trim() || `exit ${result.code}`}`;
}

function checked(netns: string, settings: CaptureSettings): string | undefined {
  if (!NETNS_NAME.test(netns)) return `${JSON.stringify(netns)} is not a network namespace name`;
  return captureSettingsProblem(settings);
}

/**
 * Applies the capture rules in the named network namespace (`ip netns`), one iptables-restore per family; when a
 * later family fails, the earlier ones are removed again, so the namespace ends with all the rules or none of them.
 */
export async function applyCapture(netns: string, settings: CaptureSettings, options: CaptureOptions = {}): Promise<Result<void>> {
  const problem = checked(netns, settings);
  if (problem) return fail([networkProxyErrors.error('networkproxy-capture-failed', '', problem)]);
  const applied: IpFamily[] = [];
  for (const family of options.families ?? [4, 6]) {
    const failure = await restore(netns, family, restoreText(captureRuleset(settings, family)));
    if (failure) {
      for (const done of applied) await restore(netns, done, removalText(captureRuleset(settings, done)));
      return fail([networkProxyErrors.error('networkproxy-capture-failed', '', failure)]);
    }
    applied.push(family);
  }
  return ok(undefined);
}

/** Removes the capture rules from the namespace; every family is tried, and every failure reported. */
export async function removeCapture(netns: string, settings: CaptureSettings, options: CaptureOptions = {}): Promise<Result<void>> {
  const problem = checked(netns, settings);
  if (problem) return fail([networkProxyErrors.error('networkproxy-capture-failed', '', problem)]);
  const failures: string[] = [];
  for (const family of options.families ?? [4, 6]) {
    const failure = await restore(netns, family, removalText(captureRuleset(settings, family)));
    if (failure) failures.push(failure);
  }
  return failures.length > 0 ? fail(failures.map((message) => networkProxyErrors.error('networkproxy-capture-failed', '', message))) : ok(undefined);
}
