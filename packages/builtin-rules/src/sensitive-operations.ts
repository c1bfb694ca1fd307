import { defineRule, type RuleDefinition } from '@armorkit/core';
import { READ_WRITE_APPEND, WRITE_APPEND, bpfFiles, bpfProcesses, exec, rule, seccompEntry } from './fragments.js';

// Attack protection: files and programs an attacker reaches for (reference §1.2.2).
const category = 'sensitive-operation';
const section = 'attackProtection';
const both = ['AppArmor', 'BPF'] as const;

const S_IXUSR = 0o100;
const S_IXGRP = 0o010;
const S_IXOTH = 0o001;
const S_ISUID = 0o4000;
const S_ISGID = 0o2000;

/** chmod family and the index of their mode argument. */
const CHMOD_SYSCALLS = [
  ['chmod', 1],
  ['fchmod', 1],
  ['fchmodat', 2],
  ['fchmodat2', 2],
] as const;

function denyModeBits(bits: readonly number[]) {
  return {
    seccomp: {
      syscalls: CHMOD_SYSCALLS.map(([name, index]) =>
        seccompEntry({
          key: name,
          names: [name],
          args: bits.map((bit) => ({ index, value: bit, valueTwo: bit, op: 'SCMP_CMP_MASKED_EQ' as const })),
        }),
      ),
    },
  };
}

function denyExecutables(id: string, description: string, names: readonly string[]): RuleDefinition {
  const patterns = names.map((name) => `/**/${name}`);
  return defineRule(
    { id, section, category, enforcers: [...both], description },
    { apparmor: { lines: patterns.map(exec) }, bpf: { processes: bpfProcesses(...patterns) } },
  );
}

export const sensitiveOperationRules: RuleDefinition[] = [
  defineRule(
    { id: 'disable-write-etc', section, category, enforcers: [...both], description: 'Forbid writing and linking under /etc.' },
    { apparmor: { lines: [rule('/etc/** wl,')] }, bpf: { files: bpfFiles(WRITE_APPEND, '/etc/**') } },
  ),
  defineRule(
    { id: 'disable-access-passwd', section, category, enforcers: [...both], description: 'Forbid reading and writing /etc/passwd.' },
    { apparmor: { lines: [rule('/etc/passwd rw,')] }, bpf: { files: bpfFiles(READ_WRITE_APPEND, '/etc/passwd') } },
  ),
  defineRule(
    { id: 'disable-access-shadow', section, category, enforcers: [...both], description: 'Forbid reading and writing /etc/shadow.' },
    { apparmor: { lines: [rule('/etc/shadow rw,')] }, bpf: { files: bpfFiles(READ_WRITE_APPEND, '/etc/shadow') } },
  ),
  defineRule(
    {
      id: 'disable-access-ssh-dir',
      section,
      category,
      enforcers: [...both],
      description: 'Forbid reading and writing files in any .ssh directory (keys, authorized_keys).',
    },
    { apparmor: { lines: [rule('/**/.ssh/** rw,')] }, bpf: { files: bpfFiles(READ_WRITE_APPEND, '/**/.ssh', '/root/.ssh/**') } },
  ),
  defineRule(
    {
      id: 'disable-write-skills',
      section,
      category,
      enforcers: ['AppArmor'],
      description: 'Forbid writing files under any skills directory (AI agent skills); for BPF write a raw rule with the absolute path.',
    },
    { apparmor: { lines: [rule('/**/skills/** w,')] } },
  ),
  denyExecutables('disable-busybox', 'Forbid executing busybox.', ['busybox']),
  denyExecutables('disable-shell', 'Forbid executing sh, bash and dash.', ['sh', 'bash', 'dash']),
  denyExecutables('disable-wget', 'Forbid executing wget.', ['wget']),
  denyExecutables('disable-curl', 'Forbid executing curl.', ['curl']),
  denyExecutables('disable-chmod', 'Forbid executing the chmod program.', ['chmod']),
  denyExecutables('disable-su-sudo', 'Forbid executing su and sudo.', ['su', 'sudo']),
  defineRule(
    {
      id: 'disable-chmod-x-bit',
      section,
      category,
      enforcers: ['Seccomp'],
      description: 'Forbid setting an execute bit with chmod, fchmod, fchmodat and fchmodat2.',
    },
    denyModeBits([S_IXUSR, S_IXGRP, S_IXOTH]),
  ),
  defineRule(
    {
      id: 'disable-chmod-s-bit',
      section,
      category,
      enforcers: ['Seccomp'],
      description: 'Forbid setting the setuid or setgid bit with chmod, fchmod, fchmodat and fchmodat2.',
    },
    denyModeBits([S_ISUID, S_ISGID]),
  ),
];
