// `armorkit validate` with KubeArmor policies: the default engine's KubeArmor dialect accepts a valid file and refuses
// an invalid one with the CRD's reason at file:line:column and JSON pointer.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../src/main.js';

const scratch = mkdtempSync(join(tmpdir(), 'armorkit-validate-kubearmor-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function run(args: string[]) {
  let out = '';
  let err = '';
  const code = await main(args, { out: (t) => (out += t + '\n'), err: (t) => (err += t + '\n'), cwd: scratch });
  return { code, out, err };
}

const policy = (directory: string) => `apiVersion: security.kubearmor.com/v1
kind: KubeArmorPolicy
metadata: {name: block-bin, namespace: demo}
spec:
  selector:
    matchLabels: {app: web}
  process:
    matchDirectories:
      - dir: ${directory}
        recursive: true
  action: Block
`;

describe('armorkit validate with KubeArmor policies', () => {
  it('accepts a valid KubeArmorPolicy', async () => {
    writeFileSync(join(scratch, 'valid.yaml'), policy('/usr/bin/'));
    const { code, out, err } = await run(['validate', 'valid.yaml']);
    expect(err).toBe('');
    expect(out).toContain('1 file(s), 1 valid policy, 0 error(s)');
    expect(code).toBe(0);
  });

  it("refuses an invalid one with the CRD's reason at the field", async () => {
    writeFileSync(join(scratch, 'invalid.yaml'), policy('/usr/bin'));
    const { code, err } = await run(['validate', 'invalid.yaml']);
    expect(err.trim()).toBe(
      `invalid.yaml:9:14: /spec/process/matchDirectories/0/dir: "/usr/bin" does not match the CRD's pattern ^\\/$|^\\/.*\\/$ (an absolute directory that ends with /)`,
    );
    expect(code).toBe(1);
  });
});
