import type { ArmorProfileModel } from '@armorkit/core/schema';
import { normalizeNetwork } from '../decision/addresses.js';
import type { L4Rule, PortInterval } from '../decision/table.js';

/** Where a model keeps the egress its recorders saw: BPF's connect events, and AppArmor's section (merged models). */
const SOURCES = [
  { pointer: '/data/dynamicResult/bpf/network/egresses', of: (model: ArmorProfileModel) => model.data?.dynamicResult?.bpf?.network?.egresses },
  { pointer: '/data/dynamicResult/appArmor/networks/egresses', of: (model: ArmorProfileModel) => model.data?.dynamicResult?.appArmor?.networks?.egresses },
] as const;

/** Ports as the fewest inclusive intervals: 80, 443, 444, 445 → [80, 80], [443, 445]. */
function intervals(ports: readonly number[]): PortInterval[] {
  const sorted = [...new Set(ports.filter((port) => port >= 1 && port <= 65535))].sort((a, b) => a - b);
  const result: PortInterval[] = [];
  for (const port of sorted) {
    const last = result.at(-1);
    if (last && last[1] === port - 1) last[1] = port;
    else result.push([port, port]);
  }
  return result;
}

/**
 * The model's egress as L4 allow rules for a DefenseInDepth proxy (vArmor's NetworkProxy has no model): one rule per
 * address recorded, on the ports it was reached on (every port when the model kept none), numbered after the policy's
 * own rules. The policy's deny rules still win (a deny decides first), and what the model never reached stays denied.
 */
export function modelEgressRules(model: ArmorProfileModel, firstIndex: number): L4Rule[] {
  const byNetwork = new Map<string, { pointer: string; ports: number[]; anyPort: boolean }>();
  for (const source of SOURCES) {
    (source.of(model) ?? []).forEach((egress, i) => {
      const network = normalizeNetwork(egress.ip);
      if (network === undefined) return;
      const entry = byNetwork.get(network) ?? { pointer: `${source.pointer}/${i}`, ports: [], anyPort: false };
      const ports = egress.ports ?? [];
      if (ports.length === 0) entry.anyPort = true;
      entry.ports.push(...ports);
      byNetwork.set(network, entry);
    });
  }
  const description = `recorded by BehaviorModeling (ArmorProfileModel ${model.metadata.name})`;
  return [...byNetwork.keys()].sort().map((network, i) => {
    const entry = byNetwork.get(network)!;
    const ports = entry.anyPort ? [] : intervals(entry.ports);
    return { index: firstIndex + i, pointer: entry.pointer, description, action: 'allow', audit: false, networks: [network], ...(ports.length > 0 ? { ports } : {}) };
  });
}
