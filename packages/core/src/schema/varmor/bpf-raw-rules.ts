import { z } from 'zod';
import { asArray, asNumber, asString, isRecord, jsonText, withCheck, type Report } from './check.js';
import { EXEC_PERMISSIONS, FILE_ACCESS_PERMISSIONS, fileRuleSchema } from './bpf-file-rule.js';
import { mountRuleSchema } from './bpf-mount-rule.js';
import { MAX_PORTS_PER_RULE, networkRuleSchema } from './bpf-network.js';
import { ptraceRuleSchema } from './bpf-ptrace-rule.js';

/** Rules per type (file, exec, network, mount) one BPF profile can hold (vArmor's MaxBpf*RuleCount). */
export const MAX_BPF_RULES_PER_TYPE = 64;

export const bpfRawRulesSchema = withCheck(
  z.strictObject({
    files: z.array(fileRuleSchema).optional(),
    processes: z.array(fileRuleSchema).optional(),
    network: networkRuleSchema.optional(),
    ptrace: ptraceRuleSchema.optional(),
    mounts: z.array(mountRuleSchema).optional(),
  }),
  (rules, report) => {
    checkFileRuleCounts(rules, report);
    checkNetworkRuleCount(rules, report);
    const mounts = asArray(rules.mounts);
    if (mounts.length > MAX_BPF_RULES_PER_TYPE) {
      report(['mounts', MAX_BPF_RULES_PER_TYPE], 'constraint', overLimit('mount', mounts.length));
    }
  },
);
export type BpfRawRules = z.infer<typeof bpfRawRulesSchema>;

function overLimit(kind: string, count: number): string {
  return `${count} BPF ${kind} rules; one profile holds at most ${MAX_BPF_RULES_PER_TYPE} (this rule is the first one over)`;
}

// Both `files` and `processes` entries turn into file rules (read/write/append) and exec rules (exec), as in vArmor.
function checkFileRuleCounts(rules: Readonly<Record<string, unknown>>, report: Report): void {
  const entries = (['files', 'processes'] as const).flatMap((list) =>
    asArray(rules[list]).map((entry, index) => ({ path: [list, index] as const, permissions: permissionsOf(entry) })),
  );
  const counts = [
    { kind: 'file', makes: FILE_ACCESS_PERMISSIONS },
    { kind: 'exec', makes: EXEC_PERMISSIONS },
  ];
  for (const { kind, makes } of counts) {
    const producing = entries.filter((entry) => entry.permissions.some((p) => (makes as readonly string[]).includes(p)));
    const first = producing[MAX_BPF_RULES_PER_TYPE];
    if (first) report([...first.path], 'constraint', overLimit(kind, producing.length));
  }
}

function permissionsOf(entry: unknown): string[] {
  return isRecord(entry) ? asArray(entry.permissions).filter((p): p is string => typeof p === 'string') : [];
}

// Socket rules (deduplicated, as vArmor does) and connect rules share the network table.
function checkNetworkRuleCount(rules: Readonly<Record<string, unknown>>, report: Report): void {
  const network = isRecord(rules.network) ? rules.network : {};
  let count = 0;
  let firstOver: (string | number)[] | undefined;
  const add = (rulesMade: number, path: (string | number)[]) => {
    count += rulesMade;
    if (firstOver === undefined && count > MAX_BPF_RULES_PER_TYPE) firstOver = path;
  };
  const seenSockets = new Set<string>();
  asArray(network.sockets).forEach((socket, index) => {
    const key = jsonText(socket);
    if (seenSockets.has(key)) return;
    seenSockets.add(key);
    add(1, ['network', 'sockets', index]);
  });
  const egress = isRecord(network.egress) ? network.egress : {};
  asArray(egress.toDestinations).forEach((destination, index) => {
    add(connectRulesFor(destination), ['network', 'egress', 'toDestinations', index]);
  });
  if (firstOver) report(firstOver, 'constraint', overLimit('network', count));
}

/** How many kernel rules vArmor makes of one destination: per address, each range alone, single ports by sixteen. */
export function connectRulesFor(destination: unknown): number {
  if (!isRecord(destination)) return 0;
  const addresses = asString(destination.ip) === 'localhost' ? 2 : 1;
  const ports = asArray(destination.ports).filter(isRecord);
  if (ports.length === 0) return addresses;
  const singles = new Set<number>();
  let ranges = 0;
  for (const entry of ports) {
    const port = asNumber(entry.port);
    const endPort = asNumber(entry.endPort);
    if (port === undefined) continue;
    if (endPort !== undefined && endPort > port) ranges++;
    else singles.add(port);
  }
  return addresses * (ranges + Math.ceil(singles.size / MAX_PORTS_PER_RULE));
}
