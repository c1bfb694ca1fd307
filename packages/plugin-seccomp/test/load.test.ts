import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LoadResult, type Result, varmorDialect } from '@armorkit/core';
import type { LinuxSeccomp } from '@armorkit/core/schema';
import { PolicyTester } from '@armorkit/core/testing';
import builtinRules from '@armorkit/builtin-rules';
import { afterAll, describe, expect, it } from 'vitest';
import { seccomp } from '../src/plugin.js';

const directory = mkdtempSync(join(tmpdir(), 'armorkit-kubelet-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
const tester = new PolicyTester({ plugins: [varmorDialect(), seccomp({ profileDirectory: directory })], rulePacks: [builtinRules] });
const engine = tester.engine;

/** The value of a load or unload that must work. */
async function loaded(pending: Promise<Result<LoadResult>>): Promise<LoadResult> {
  const result = await pending;
  if (!result.ok) throw new Error(result.errors.map((error) => error.message).join('\n'));
  return result.value;
}

function artifactFor(rules: string) {
  return tester.compile(
    `apiVersion: crd.varmor.org/v1beta1
kind: VarmorPolicy
metadata: {name: web, namespace: shop}
spec:
  target: {kind: Deployment, name: web}
  policy:
    enforcer: Seccomp
    mode: EnhanceProtect
    enhanceProtect: {hardeningRules: [${rules}]}
`,
    'Seccomp',
    { file: 'p.yaml' },
  );
}

describe('seccomp load for kubelet', () => {
  it('writes <dir>/<profileName> atomically, replaces it, and removes it', async () => {
    const first = await loaded(engine.load(artifactFor('disallow-userfaultfd-creation')));
    expect(first.summary).toContain(join(directory, 'varmor-shop-web'));
    const written = JSON.parse(readFileSync(join(directory, 'varmor-shop-web'), 'utf8')) as LinuxSeccomp;
    expect(written.syscalls).toEqual([{ names: ['userfaultfd'], action: 'SCMP_ACT_ERRNO' }]);

    await engine.load(artifactFor('dirty-pipe-mitigation'));
    expect((JSON.parse(readFileSync(join(directory, 'varmor-shop-web'), 'utf8')) as LinuxSeccomp).syscalls![0]!.names).toEqual(['splice']);
    expect(readdirSync(directory)).toEqual(['varmor-shop-web']); // no temporary files left behind

    expect((await loaded(engine.unload('Seccomp', 'varmor-shop-web'))).summary).toContain('removed');
    expect(readdirSync(directory)).toEqual([]);
    expect((await loaded(engine.unload('Seccomp', 'varmor-shop-web'))).summary).toContain('was not there');
  });

  it('refuses a profile name that would leave the directory, as an error value', async () => {
    const artifact = { ...artifactFor('disallow-userfaultfd-creation'), profileName: '../escape' };
    expect(await engine.load(artifact)).toMatchObject({ ok: false, errors: [{ code: 'seccomp-profile-name' }] });
    expect(readdirSync(directory)).toEqual([]);
  });
});
