import type { LinuxSeccompArg } from '../schema/oci-seccomp.js';
import type { AppArmorFragment, BpfFragment, RuleFragments, SeccompFragment } from './fragments.js';

const OPERATORS: Record<LinuxSeccompArg['op'], string> = {
  SCMP_CMP_EQ: '==',
  SCMP_CMP_NE: '!=',
  SCMP_CMP_LT: '<',
  SCMP_CMP_LE: '<=',
  SCMP_CMP_GT: '>',
  SCMP_CMP_GE: '>=',
  SCMP_CMP_MASKED_EQ: '&',
};

function hex(value: LinuxSeccompArg['value']): string {
  return '0x' + BigInt(value).toString(16);
}

function describeArg(arg: LinuxSeccompArg): string {
  if (arg.op === 'SCMP_CMP_MASKED_EQ') return `arg${arg.index} & ${hex(arg.value)} == ${hex(arg.valueTwo ?? 0)}`;
  return `arg${arg.index} ${OPERATORS[arg.op]} ${hex(arg.value)}`;
}

function appArmor(fragment: AppArmorFragment): string[] {
  return fragment.lines.map((line) =>
    'rule' in line
      ? line.rule
      : 'exec' in line
        ? `${line.exec} (exec)`
        : line.diskDevices === 'access'
          ? '/dev/<each disk device> rw,'
          : 'mount /dev/<each disk device>,',
  );
}

function seccomp(fragment: SeccompFragment): string[] {
  return fragment.syscalls.map((entry) => {
    const args = entry.args.map(describeArg);
    return `${entry.names.join(', ')}${args.length > 0 ? ` when ${args.join(' or ')}` : ' (always)'}`;
  });
}

function bpf(fragment: BpfFragment): string[] {
  const lines: string[] = [];
  for (const file of fragment.files ?? []) lines.push(`file ${file.pattern}: ${file.permissions.join(',')}`);
  for (const process of fragment.processes ?? []) lines.push(`exec ${process.pattern}`);
  if (fragment.capabilities) lines.push(`capabilities ${fragment.capabilities.join(', ')}`);
  if (fragment.ptrace) {
    lines.push(`ptrace ${fragment.ptrace.permissions.join(',')}${fragment.ptrace.strictMode ? '' : ' (peers outside the container)'}`);
  }
  for (const mount of fragment.mounts ?? []) {
    lines.push(
      `mount ${mount.sourcePattern} fstype=${mount.fstype} flags=${mount.flags.join(',')}${mount.privilegedOnly ? ' (privileged only)' : ''}`,
    );
  }
  for (const socket of fragment.sockets ?? []) {
    const parts = [
      socket.domains && `domains ${socket.domains.join(',')}`,
      socket.types && `types ${socket.types.join(',')}`,
      socket.protocols && `protocols ${socket.protocols.join(',')}`,
    ].filter(Boolean);
    lines.push(`socket ${parts.join(' ')}`);
  }
  for (const egress of fragment.egress ?? []) {
    const ports = egress.ports?.map((p) => (p.endPort ? `${p.port}-${p.endPort}` : `${p.port}`)).join(',');
    lines.push(`connect ${egress.ip ?? egress.cidr}${ports ? ` ports ${ports}` : ' (all ports)'}`);
  }
  for (const service of fragment.services ?? []) lines.push(`connect service ${service.namespace}/${service.name}`);
  return lines;
}

/** One line per effect of a rule for an enforcer, for `explain` and `rules`; empty when the rule does nothing there. */
export function describeFragment(enforcerId: string, fragments: RuleFragments): string[] {
  const fragment = fragments[enforcerId];
  if (fragment === undefined) return [];
  switch (enforcerId) {
    case 'apparmor':
      return appArmor(fragment as AppArmorFragment);
    case 'seccomp':
      return seccomp(fragment as SeccompFragment);
    case 'bpf':
      return bpf(fragment as BpfFragment);
    default:
      return [JSON.stringify(fragment)];
  }
}
