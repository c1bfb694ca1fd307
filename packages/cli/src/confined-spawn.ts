import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConfinementStep } from '@armorkit/core';

/**
 * Runs argv wrapped by every step (by stage, outermost first), with the terminal's stdin/stdout/stderr. The steps'
 * inputs are written to files in a private directory (0700, files 0600) that every wrapper in the chain can read,
 * whatever namespaces and execs come between; it is removed afterwards. Resolves to the command's exit code
 * (128 + signal number when a signal ended it). With `output`, stdout and stderr are piped to it instead (stdin: none).
 * With `signal` (`armorkit model --duration`), the command runs in a process group of its own, which is sent SIGTERM
 * when the signal aborts (SIGKILL 5 s later if it is still there).
 */
export async function spawnConfined(
  steps: readonly ConfinementStep[],
  argv: readonly string[],
  options: { cwd: string; output?: { stdout(chunk: string): void; stderr(chunk: string): void }; signal?: AbortSignal },
): Promise<number> {
  const directory = mkdtempSync(join(tmpdir(), 'armorkit-run-'));
  try {
    let count = 0;
    const words: string[] = [];
    for (const step of [...steps].sort((a, b) => a.stage - b.stage)) {
      const files = (step.inputs ?? []).map((input) => {
        const path = join(directory, `input-${count++}`);
        writeFileSync(path, input, { mode: 0o600 });
        return path;
      });
      words.push(...step.prefix(files));
    }
    const command = [...words, ...argv];
    return await new Promise<number>((resolve, reject) => {
      const { output } = options;
      const child = spawn(command[0]!, command.slice(1), {
        cwd: options.cwd,
        stdio: output ? ['ignore', 'pipe', 'pipe'] : 'inherit',
        ...(options.signal ? { detached: true } : {}),
      });
      let killer: NodeJS.Timeout | undefined;
      const stop = () => {
        const group = (name: NodeJS.Signals) => {
          try {
            if (child.pid !== undefined) process.kill(-child.pid, name);
          } catch {
            // gone already
          }
        };
        group('SIGTERM');
        killer = setTimeout(() => group('SIGKILL'), 5000);
      };
      if (options.signal?.aborted) stop();
      else options.signal?.addEventListener('abort', stop, { once: true });
      if (output) {
        child.stdout?.setEncoding('utf8').on('data', (chunk: string) => output.stdout(chunk));
        child.stderr?.setEncoding('utf8').on('data', (chunk: string) => output.stderr(chunk));
      }
      // A signal armorkit receives (kill, or Ctrl-C when the command is elsewhere) goes to the command; armorkit
      // itself waits for it to end and then cleans up.
      const forward = (signal: NodeJS.Signals): void => {
        child.kill(signal);
      };
      const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
      for (const signal of signals) process.on(signal, forward);
      const stopForwarding = (): void => {
        for (const signal of signals) process.off(signal, forward);
      };
      child.on('error', (error) => {
        stopForwarding();
        reject(error);
      });
      child.on('close', (code, signal) => {
        if (killer) clearTimeout(killer);
        options.signal?.removeEventListener('abort', stop);
        stopForwarding();
        if (signal) resolve(128 + (constants.signals[signal] ?? 0));
        else resolve(code ?? 1);
      });
    });
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
