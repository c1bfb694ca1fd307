import type { BpfRawRules, FileRule, FilePermission, NetworkSocketRule } from '@armorkit/core/schema';
import { bpfPatternProblem } from '@armorkit/core/schema';
import type { FieldNote, KubeArmorRule, PathRule } from './rules.js';

export interface BpfTranslation {
  rawRules: BpfRawRules;
  /** Built-in rules (`disable-cap-<name>`) for blocked capabilities: bpfRawRules have no capability list. */
  hardeningRules: string[];
  problems: FieldNote[];
}

const FILE_ACCESS: FilePermission[] = ['read', 'write', 'append'];
const FILE_WRITES: FilePermission[] = ['write', 'append'];
const SOCKET_TYPES = new Set(['stream', 'dgram', 'raw', 'rdm', 'seqpacket', 'dccp', 'packet']);
const SOCKET_PROTOCOLS = new Set(['tcp', 'udp', 'icmp']);

/** The BPF patterns of a path rule: exact paths, `**` for recursive directories, `**\/name` for execname. */
function patternsOf(rule: PathRule): string[] | { problem: string } {
  const { match } = rule;
  let patterns: string[];
  switch (match.kind) {
    case 'path':
      patterns = [match.path];
      break;
    case 'execname':
      patterns = [`**/${match.name}`];
      break;
    case 'dir':
      if (!match.recursive) {
        return { problem: `the BPF enforcer cannot match only the direct children of ${match.dir} (its * never contains a /); use recursive: true or the AppArmor enforcer` };
      }
      patterns = match.dir === '/' ? ['/**'] : [match.dir.replace(/\/$/, ''), `${match.dir}**`];
      break;
    case 'pattern':
      if (/[?[\]{}^]/.test(match.pattern)) return { problem: `the BPF enforcer has no ? [ ] { } ^ globs (pattern ${JSON.stringify(match.pattern)})` };
      patterns = [match.pattern];
      break;
  }
  for (const pattern of patterns) {
    const problem = bpfPatternProblem(pattern);
    if (problem) return { problem: `the BPF enforcer cannot encode it: ${problem}` };
  }
  return patterns;
}

/** KubeArmor Block → deny and report; Audit → report only (reference §1.0 qualifiers). */
const qualifiersOf = (rule: KubeArmorRule): FileRule['qualifiers'] => (rule.action === 'Block' ? ['deny', 'audit'] : ['audit']);

/**
 * The rules armorkit's BPF enforcer takes (blacklist rules: deny or audit, no allow list, no executable source, no
 * owner check), each problem at the rule that has it. Syscall rules are seccomp's.
 */
export function bpfTranslation(rules: readonly KubeArmorRule[]): BpfTranslation {
  const files: FileRule[] = [];
  const processes: FileRule[] = [];
  const sockets: NetworkSocketRule[] = [];
  const hardening = new Set<string>();
  const problems: FieldNote[] = [];
  const problem = (rule: KubeArmorRule, message: string, field = '') => problems.push({ pointer: `${rule.pointer}${field}`, message });

  for (const rule of rules) {
    if (rule.class === 'syscalls') continue;
    if (rule.action === 'Allow') {
      problem(rule, 'an Allow rule puts its class in whitelist mode; armorkit\'s BPF enforcer has deny and audit rules only, no allow list with a default posture (use AppArmor)', '/action');
      continue;
    }
    if (rule.fromSource.length > 0) {
      problem(rule, 'armorkit\'s BPF enforcer cannot limit a rule to the processes of one executable (use AppArmor, which gives it a child profile)', '/fromSource');
      continue;
    }
    switch (rule.class) {
      case 'process':
      case 'file': {
        if (rule.ownerOnly) {
          problem(rule, 'armorkit\'s BPF enforcer does not compare the file owner with the caller (use AppArmor\'s owner rules)', '/ownerOnly');
          continue;
        }
        const patterns = patternsOf(rule);
        if ('problem' in patterns) {
          problem(rule, patterns.problem);
          continue;
        }
        const permissions: FilePermission[] = rule.class === 'process' ? ['exec'] : rule.readOnly ? FILE_WRITES : FILE_ACCESS;
        for (const pattern of patterns) (rule.class === 'process' ? processes : files).push({ qualifiers: qualifiersOf(rule), pattern, permissions });
        break;
      }
      case 'network': {
        const { protocol } = rule;
        if (protocol === 'all') sockets.push({ qualifiers: qualifiersOf(rule), types: ['all'] });
        else if (SOCKET_TYPES.has(protocol)) sockets.push({ qualifiers: qualifiersOf(rule), types: [protocol as 'stream'] });
        else if (SOCKET_PROTOCOLS.has(protocol)) sockets.push({ qualifiers: qualifiersOf(rule), protocols: [protocol as 'tcp'] });
        else problem(rule, `armorkit's BPF socket rules know no ${JSON.stringify(protocol)} (types stream, dgram, raw, rdm, seqpacket, dccp, packet; protocols tcp, udp, icmp)`);
        break;
      }
      case 'capabilities':
        if (rule.action === 'Audit') {
          problem(rule, 'armorkit\'s BPF enforcer can deny a capability but not only report its use', '/action');
          continue;
        }
        hardening.add(`disable-cap-${rule.capability.replace(/_/g, '-')}`);
        break;
    }
  }
  const rawRules: BpfRawRules = {};
  if (files.length > 0) rawRules.files = files;
  if (processes.length > 0) rawRules.processes = processes;
  if (sockets.length > 0) rawRules.network = { sockets };
  return { rawRules, hardeningRules: [...hardening].sort(), problems };
}
