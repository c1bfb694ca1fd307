import { spawn } from 'node:child_process';
import type { ConfinementStep } from '@armorkit/core';
import { constants } from 'node:os';

/**
 * Runs argv wrapped by every step (by stage, outermost first), with the terminal's stdin/stdout/stderr, and the steps' inputs
 * on descriptors 3, 4, ... Resolves to the command's exit code (128 + signal number when a signal ended it).
 */
export function spawnConfined(steps: readonly ConfinementStep[], argv: readonly string[], options: { cwd: string }): Promise<number> {
  let nextFd = 3;
  const inputs: Buffer[] = [];
  const words: string[] = [];
  for (const step of [...steps].sort((a, b) => a.stage - b.stage)) {
    const fds = (step.inputs ?? []).map((input) => {
      inputs.push(input);
      return nextFd++;
    });
    words.push(...step.prefix(fds));
  }
  const command = [...words, ...argv];
  return new Promise((resolve, reject) => {
    const child = spawn(command[0]!, command.slice(1), {
      cwd: options.cwd,
      stdio: ['inherit', 'inherit', 'inherit', ...inputs.map(() => 'pipe' as const)],
    });
    inputs.forEach((input, i) => {
      const pipe = child.stdio[3 + i];
      if (!pipe || !('end' in pipe)) return;
      // A wrapper that fails before reading its input closes the pipe; its own exit code says what happened.
      pipe.on('error', () => undefined);
      pipe.end(input);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (signal) resolve(128 + (constants.signals[signal] ?? 0));
      else resolve(code ?? 1);
    });
  });
}
