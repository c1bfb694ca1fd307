import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { resolveLabKernel } from '../src/kernel-image.js';
import { unwrapOutcome } from '../src/lab-error.js';
import { runInLab } from '../src/run-in-lab.js';

// Every test boots a real VM (TCG, about 10-20 s on this machine); they run one after another.
const bootTimeout = 240_000;
const kernelVersion = unwrapOutcome(resolveLabKernel()).version;

describe('runInLab', () => {
  it('boots the lab kernel and runs a command as root', { timeout: bootTimeout }, async () => {
    const starts: number[] = [];
    const run = unwrapOutcome(await runInLab({ command: ['uname', '-r'], timeoutMs: 180_000, onCommandStart: (bootMs) => starts.push(bootMs) }));
    expect(starts).toEqual([run.bootMs]);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(`${kernelVersion}\n`);
    expect(run.exitCode).toBe(0);
    expect(run.timedOut).toBe(false);
    expect(run.kernelVersion).toBe(kernelVersion);
    expect(run.bootMs).toBeGreaterThan(0);
    expect(run.durationMs).toBeGreaterThanOrEqual(run.bootMs ?? 0);
    expect(run.kernelLog).toContain(`armorkit-lab: command exited with 0`);
  });

  it('runs a Node script with the caller\'s cwd and env, separates stdout and stderr, writes to a read-write share, and passes a non-zero exit code through', { timeout: bootTimeout }, async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'armorkit-lab-cwd-'));
    const streamed: string[] = [];
    const run = unwrapOutcome(
      await runInLab({
        nodeScript: fileURLToPath(new URL('fixtures/report-environment.mjs', import.meta.url)),
        args: ['first', 'second arg'],
        cwd,
        shares: [{ hostPath: cwd }],
        env: { ...process.env, LAB_TEST_VALUE: "a value with 'quotes' and spaces" },
        onStdout: (text) => streamed.push(text),
        timeoutMs: 180_000,
      }),
    );
    expect(run.exitCode).toBe(3);
    expect(run.stdout).toBe('to stdout\n');
    expect(run.stderr).toBe('to stderr\n');
    expect(streamed.join('')).toBe('to stdout\n');
    const report = JSON.parse(readFileSync(join(run.outputDir, 'report.json'), 'utf8'));
    expect(readFileSync(join(cwd, 'written-in-the-lab'), 'utf8')).toBe('from the guest\n');
    expect(report).toEqual({ cwd, marker: '1', value: "a value with 'quotes' and spaces", args: ['first', 'second arg'], uid: 0 });
  });

  it('returns the AppArmor DENIED audit line in kernelLog', { timeout: bootTimeout }, async () => {
    const directory = mkdtempSync(join(tmpdir(), 'armorkit-lab-apparmor-'));
    const secret = join(directory, 'secret');
    writeFileSync(secret, 'secret\n');
    writeFileSync(
      join(directory, 'profile'),
      `abi <abi/3.0>,\nprofile armorkit-lab-host-test {\n  file,\n  unix,\n  audit deny ${secret} r,\n}\n`,
    );
    const run = unwrapOutcome(
      await runInLab({
        command: ['sh', '-c', 'apparmor_parser -r profile && exec aa-exec -p armorkit-lab-host-test -- cat secret'],
        cwd: directory,
        timeoutMs: 180_000,
      }),
    );
    expect(run.stderr).toContain('Permission denied');
    expect(run.exitCode).toBe(1);
    const denied = run.kernelLog.split('\n').filter((line) => line.includes('apparmor="DENIED"'));
    expect(denied).toHaveLength(1);
    expect(denied[0]).toContain(`profile="armorkit-lab-host-test" name="${secret}"`);
  });

  it('kills a guest that runs past its timeout and reports it as timed out', { timeout: bootTimeout }, async () => {
    // `sleep 600` would outlive the test's own timeout: finishing at all shows the guest was stopped.
    const run = unwrapOutcome(await runInLab({ command: ['sh', '-c', 'echo started; exec sleep 600'], timeoutMs: 30_000 }));
    expect(run.timedOut).toBe(true);
    expect(run.exitCode).toBeNull();
    expect(run.stdout).toBe('started\n');
    expect(run.durationMs).toBeGreaterThanOrEqual(30_000);
  });
});
