import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { uint64Value, type LinuxSeccomp } from '@armorkit/core/schema';
import { actionValue, EPERM } from '../../src/actions.js';
import type { FilterArch } from '../../src/arch.js';
import type { SockFilter } from '../../src/bpf/instruction.js';
import type { SeccompData } from '../../src/bpf/seccomp-data.js';

const SOURCE = fileURLToPath(new URL('../fixtures/libseccomp-oracle.c', import.meta.url));
const OPERATORS: Record<string, number> = {
  SCMP_CMP_NE: 1, SCMP_CMP_LT: 2, SCMP_CMP_LE: 3, SCMP_CMP_EQ: 4, SCMP_CMP_GE: 5, SCMP_CMP_GT: 6, SCMP_CMP_MASKED_EQ: 7,
};

let binary: string | undefined;

/** Builds the C oracle once per test file (gcc, -lseccomp). */
export function oracleBinary(): string {
  if (!binary) {
    const out = join(mkdtempSync(join(tmpdir(), 'armorkit-seccomp-oracle-')), 'libseccomp-oracle');
    execFileSync('gcc', ['-O2', '-Wall', '-Werror', '-o', out, SOURCE, '-lseccomp']);
    binary = out;
  }
  return binary;
}

function runOracle(input: string, args: string[] = []): string[] {
  const result = spawnSync(oracleBinary(), args, { input, maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`oracle exited ${result.status}: ${result.stderr}`);
  return result.stdout.split('\n').filter((line) => line.length > 0);
}

/** Which of `names` libseccomp 2.5.4 resolves on `arch`, with its number. */
export function libseccompNumbers(arch: FilterArch, names: readonly string[]): Map<string, number> {
  const lines = runOracle(`names ${arch} ${names.length}\n${names.join('\n')}\n`);
  const known = new Map<string, number>();
  for (const line of lines) {
    const [name, nr] = line.split(' ');
    if (name && nr && nr !== '-') known.set(name, Number(nr));
  }
  return known;
}

export interface OracleCase {
  profile: LinuxSeccomp;
  arch: FilterArch;
  /** libseccomp SCMP_FLTATR_CTL_OPTIMIZE; runc's choice when omitted (2 above 32 entries). */
  optimize?: 1 | 2;
  /** Our filter, also run by the oracle's C interpreter. */
  program: readonly SockFilter[];
  inputs: readonly SeccompData[];
}

export interface OracleAnswer {
  ruleFailures: number;
  libseccompProgram: SockFilter[];
  /** Per input: libseccomp's action, and our program's action in the C interpreter. */
  libseccomp: number[];
  oursInC: number[];
}

const hex = (value: bigint | number): string => BigInt.asUintN(64, BigInt(value)).toString(16);

/** Builds each case's profile with libseccomp as runc would, and evaluates both programs on the inputs, in one process. */
export function askOracle(cases: readonly OracleCase[]): OracleAnswer[] {
  const lines: string[] = [];
  for (const { profile, arch, optimize, program, inputs } of cases) {
    const defaultAction = actionValue(profile.defaultAction, profile.defaultErrnoRet ?? EPERM);
    const rules: string[] = [];
    for (const syscall of profile.syscalls ?? []) {
      const action = actionValue(syscall.action, syscall.errnoRet ?? EPERM);
      if (action === defaultAction) continue; // runc skips these
      const args = syscall.args ?? [];
      const conditions = args.map((arg) =>
        [arg.index, OPERATORS[arg.op], hex(uint64Value(arg.value)), hex(arg.op === 'SCMP_CMP_MASKED_EQ' ? uint64Value(arg.valueTwo ?? 0) : 0n)].join(' '),
      );
      const repeated = new Set(args.map((arg) => arg.index)).size !== args.length;
      for (const name of syscall.names) {
        if (repeated) for (const condition of conditions) rules.push(`rule ${hex(action)} ${name} 1 ${condition}`);
        else rules.push(`rule ${hex(action)} ${name} ${conditions.length} ${conditions.join(' ')}`);
      }
    }
    const level = optimize ?? ((profile.syscalls?.length ?? 0) > 32 ? 2 : 1);
    lines.push(`profile ${arch} ${hex(defaultAction)} ${level} ${rules.length}`, ...rules);
    lines.push(`program ${program.length}`, ...program.map((insn) => `${insn.code} ${insn.jt} ${insn.jf} ${hex(insn.k)}`));
    lines.push(`inputs ${inputs.length}`);
    for (const input of inputs) {
      lines.push([hex(input.arch), input.nr >>> 0, hex(input.instructionPointer ?? 0n), ...[0, 1, 2, 3, 4, 5].map((i) => hex(input.args[i] ?? 0n))].join(' '));
    }
  }
  const output = runOracle(lines.join('\n') + '\n', ['export']);
  const answers: OracleAnswer[] = [];
  let at = 0;
  for (const { inputs } of cases) {
    const [, failures, length] = output[at++]!.split(' ');
    const libseccompProgram: SockFilter[] = [];
    for (let i = 0; i < Number(length); i++) {
      const [code, jt, jf, k] = output[at++]!.split(' ').map(Number);
      libseccompProgram.push({ code: code!, jt: jt!, jf: jf!, k: k! });
    }
    const libseccomp: number[] = [];
    const oursInC: number[] = [];
    for (let i = 0; i < inputs.length; i++) {
      const [theirs, ours] = output[at++]!.split(' ');
      libseccomp.push(parseInt(theirs!, 16) >>> 0);
      oursInC.push(parseInt(ours!, 16) >>> 0);
    }
    answers.push({ ruleFailures: Number(failures), libseccompProgram, libseccomp, oursInC });
  }
  return answers;
}
