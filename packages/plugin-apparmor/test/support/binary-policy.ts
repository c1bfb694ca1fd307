import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findApparmorParser } from '../../src/verify/apparmor-parser.js';

// The compiled binary policy of a profile body, as apparmor_parser writes it (-S) for the kernel features of this
// machine plus D-Bus mediation (the stock features file has no dbus mask, so dbus rules would compile to nothing).
// Identical rule sets give identical bytes; this is how the printer's output is compared with the text it read.

const FEATURES = '/usr/share/apparmor-features/features';
const directory = mkdtempSync(join(tmpdir(), 'armorkit-binary-'));
const features = join(directory, 'features');
writeFileSync(features, readFileSync(FEATURES, 'utf8').replace(/^network_v8 \{/m, 'dbus {mask {acquire send receive\n}\n}\nnetwork_v8 {'));
let counter = 0;

export interface BinaryPolicy {
  ok: boolean;
  /** The binary (base64) when ok, stderr otherwise. */
  output: string;
}

/** `include <tunables/global>` + `profile p { BODY }`, compiled to the binary policy. */
export function binaryPolicy(body: string): Promise<BinaryPolicy> {
  const parser = findApparmorParser() as string;
  const file = join(directory, `p${counter++}`);
  writeFileSync(file, `abi <abi/3.0>,\ninclude <tunables/global>\nprofile p {\n${body}\n}\n`);
  return new Promise((resolve) => {
    execFile(parser, ['-S', '-K', '-T', '-Q', '-M', features, file], { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      rmSync(file, { force: true });
      resolve(error ? { ok: false, output: stderr.toString() } : { ok: true, output: stdout.toString('base64') });
    });
  });
}

/** Runs `work` over `items` two at a time (the machine has two cores). */
export async function twoAtATime<T, R>(items: readonly T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) results[i] = await work(items[i] as T);
  };
  await Promise.all([worker(), worker()]);
  return results;
}
