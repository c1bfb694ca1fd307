import { spawnSync } from 'node:child_process';
import { mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jobScript } from '../src/job-script.js';

describe('jobScript', () => {
  const directory = realpathSync(mkdtempSync(join(tmpdir(), "armorkit-job it's-")));

  it('runs the argv in the cwd with exactly the given environment, whatever the quoting', () => {
    const script = join(directory, 'job.sh');
    writeFileSync(
      script,
      jobScript({
        argv: ['sh', '-c', 'printf "%s|%s|%s|%s" "$PWD" "$ODD" "$1" "${LEAKED-unset}"', 'sh', "a 'quoted' $arg"],
        cwd: directory,
        environment: { ODD: "it's \"$HOME\" `x`\nline", PATH: '/usr/bin:/bin' },
      }),
    );
    const run = spawnSync('/bin/sh', [script], { encoding: 'utf8', env: { LEAKED: 'yes' } });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(`${directory}|it's "$HOME" \`x\`\nline|a 'quoted' $arg|unset`);
  });

  it('exits 125 with a message when the cwd does not exist', () => {
    const script = join(directory, 'missing-cwd.sh');
    writeFileSync(script, jobScript({ argv: ['true'], cwd: join(directory, 'missing'), environment: {} }));
    const run = spawnSync('/bin/sh', [script], { encoding: 'utf8' });
    expect(run.status).toBe(125);
    expect(run.stderr).toContain('armorkit-lab: cannot enter');
  });
});
