/** `it's` → `'it'\''s'`: safe for any byte string in a POSIX shell. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

export interface JobDescription {
  argv: readonly string[];
  cwd: string;
  environment: Readonly<Record<string, string>>;
}

/**
 * The script the guest runs inside the host's root: enter the caller's cwd, then exec the command with exactly the
 * given environment (env -i, so nothing of the guest's init leaks in). Variables are sorted for a stable script.
 */
export function jobScript(job: JobDescription): string {
  const assignments = Object.keys(job.environment)
    .filter((name) => name.length > 0 && !name.includes('='))
    .sort()
    .map((name) => shellQuote(`${name}=${job.environment[name]}`));
  // exit 125/127 follow env(1) and the shell: the lab could not run the command at all.
  return [
    '#!/bin/sh',
    `cd ${shellQuote(job.cwd)} || { echo ${shellQuote(`armorkit-lab: cannot enter ${job.cwd}`)} >&2; exit 125; }`,
    `exec /usr/bin/env -i \\`,
    ...assignments.map((assignment) => `  ${assignment} \\`),
    `  ${job.argv.map(shellQuote).join(' ')}`,
    '',
  ].join('\n');
}
