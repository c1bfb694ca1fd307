import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireKernelLab } from '../../src/index.js';
import { LoadedBpfObject } from './support/libbpf.js';

const source = fileURLToPath(new URL('../fixtures/deny-open-in-mount-namespace.bpf.c', import.meta.url));

/** `mnt:[4026531841]` → 4026531841 */
function namespaceInode(link: string): bigint {
  const match = /^mnt:\[(\d+)\]$/.exec(link.trim());
  if (!match?.[1]) throw new Error(`not a mount namespace link: ${link}`);
  return BigInt(match[1]);
}

/** glibc's st_dev encoding → the kernel's internal dev_t (major << 20 | minor), which the program compares with. */
function kernelDevice(userDevice: bigint): bigint {
  const major = ((userDevice >> 8n) & 0xfffn) | ((userDevice >> 32n) & ~0xfffn);
  const minor = (userDevice & 0xffn) | ((userDevice >> 12n) & ~0xffn);
  return (major << 20n) | minor;
}

interface NamespacedChild {
  /** The child's own mount namespace, live until the child exits. */
  namespace: bigint;
  /** Lets the child `cat` the file; resolves when it has exited. */
  open(): Promise<{ status: number | null; stdout: string; stderr: string }>;
}

/** A child in a fresh mount namespace (`unshare -m`) that waits before opening the file. */
async function childInNewMountNamespace(file: string): Promise<NamespacedChild> {
  const child = spawn('unshare', ['-m', 'sh', '-c', 'readlink /proc/self/ns/mnt; read go; exec cat "$1"', 'sh', file], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const lines = createInterface({ input: child.stdout });
  const namespace = await new Promise<bigint>((resolve, reject) => {
    lines.once('line', (line) => resolve(namespaceInode(line)));
    child.once('error', reject);
  });
  lines.on('line', (line) => (stdout += `${line}\n`));
  return {
    namespace,
    open: async () => {
      child.stdin.end('go\n');
      const status = await exited;
      return { status, stdout, stderr };
    },
  };
}

describe('a BPF-LSM file_open program loaded through libbpf from Node', () => {
  const build = mkdtempSync(join(tmpdir(), 'armorkit-bpf-'));
  const objectPath = join(build, 'deny-open-in-mount-namespace.bpf.o');
  // tmpfs: the inode the program sees is the one stat reports (no overlay in between).
  const target = mkdtempSync('/dev/shm/armorkit-bpf-');
  const file = join(target, 'guarded');
  let bpf: LoadedBpfObject | undefined;

  beforeAll(() => {
    requireKernelLab();
    const clang = spawnSync(
      'clang',
      ['-O2', '-g', '-target', 'bpf', '-I/usr/include/x86_64-linux-gnu', '-c', source, '-o', objectPath],
      { encoding: 'utf8' },
    );
    expect(clang.stderr).toBe('');
    expect(clang.status).toBe(0);
    writeFileSync(file, 'guarded contents\n');
    bpf = LoadedBpfObject.load(objectPath);
    bpf.attach('deny_open_in_mount_namespace');
  });

  afterAll(() => bpf?.close());

  const setTarget = (namespace: bigint) => {
    const stat = statSync(file, { bigint: true });
    const value = Buffer.alloc(24);
    value.writeBigUInt64LE(namespace, 0);
    value.writeBigUInt64LE(stat.ino, 8);
    value.writeBigUInt64LE(kernelDevice(stat.dev), 16);
    bpf?.updateMap('targets', Buffer.alloc(4), value);
  };

  it('denies the open to a child in the targeted mount namespace', async () => {
    const target = await childInNewMountNamespace(file);
    setTarget(target.namespace);
    const run = await target.open();
    expect(run.stderr).toContain('Operation not permitted');
    expect(run.status).not.toBe(0);
    expect(run.stdout).toBe('');
  });

  it('allows the same open outside that namespace, in this process and in another new namespace', async () => {
    const target = await childInNewMountNamespace(file);
    setTarget(target.namespace);
    const other = await childInNewMountNamespace(file);
    expect(other.namespace).not.toBe(target.namespace);
    expect(namespaceInode(readlinkSync('/proc/self/ns/mnt'))).not.toBe(target.namespace);

    const elsewhere = await other.open();
    expect(elsewhere.stderr).toBe('');
    expect(elsewhere.status).toBe(0);
    expect(elsewhere.stdout).toBe('guarded contents\n');
    expect(readFileSync(file, 'utf8')).toBe('guarded contents\n');

    // The program was active all along: the targeted child is still refused.
    const refused = await target.open();
    expect(refused.stderr).toContain('Operation not permitted');
  });
});
