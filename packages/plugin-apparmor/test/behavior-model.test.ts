import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findApparmorParser } from '../src/verify/apparmor-parser.js';
import { profileFromBehaviorModel } from '../src/compile/behavior-model.js';

// A behaviour model records what processes in the container did, so its paths are chosen by the container.
const base = { profiles: ['varmor-shop-api'] };

describe('profiles from behaviour models', () => {
  it.each([
    ['a newline that would close the profile', '/tmp/x r,\n} profile evil {'],
    ['a quote that would end the quoted path', '/tmp/"x'],
    ['a backslash escape', '/tmp/x\\"'],
    ['a NUL byte', '/tmp/x\u0000y'],
    ['a relative path', 'tmp/x'],
  ])('refuses a recorded path with %s', (_what, path) => {
    expect(profileFromBehaviorModel({ ...base, files: [{ path, permissions: ['r'] }] }).error).toMatch(/cannot be written safely/);
    expect(profileFromBehaviorModel({ ...base, executions: [path] }).error).toMatch(/cannot be written safely/);
  });

  it('refuses capabilities, permissions and profile names that are not AppArmor words', () => {
    expect(profileFromBehaviorModel({ ...base, capabilities: ['sys_admin, file'] }).error).toMatch(/capability/);
    expect(profileFromBehaviorModel({ ...base, files: [{ path: '/x', permissions: ['r, /** w'] }] }).error).toMatch(/permissions/);
    expect(profileFromBehaviorModel({ profiles: ['a { }'] }).error).toMatch(/profile name/);
  });

  it('quotes paths with spaces or commas, and apparmor_parser accepts the result', () => {
    const result = profileFromBehaviorModel({
      ...base,
      executions: ['/usr/bin/my app'],
      files: [{ path: '/srv/data/a b,c.txt', owner: true, permissions: ['r', 'w'] }],
    });
    const text = result.text!.toString();
    expect(text).toContain('  "/usr/bin/my app" ix,');
    expect(text).toContain('  owner "/srv/data/a b,c.txt" rw,');
    const parser = findApparmorParser();
    expect(parser, 'apparmor_parser is installed by make').toBeDefined();
    const dir = mkdtempSync(join(tmpdir(), 'armorkit-model-'));
    try {
      writeFileSync(join(dir, 'profile'), text);
      execFileSync(parser!, ['-Q', '-K', '-T', '-O', 'no-expr-simplify', join(dir, 'profile')], { stdio: 'pipe' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
