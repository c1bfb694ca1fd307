import type { DynamicResult } from '../schema/varmor/armor-profile-model.js';

/** How many entries a model holds per class and enforcer, for the `armorkit model` summary. */
export function modelSummary(result: DynamicResult): { enforcer: string; entries: Record<string, number> }[] {
  const rows: { enforcer: string; entries: Record<string, number> }[] = [];
  const count = (values: readonly unknown[] | undefined) => values?.length ?? 0;
  if (result.appArmor) {
    const a = result.appArmor;
    rows.push({
      enforcer: 'AppArmor',
      entries: {
        executions: count(a.executions), files: count(a.files), capabilities: count(a.capabilities), sockets: count(a.networks?.sockets),
        ptraces: count(a.ptraces), signals: count(a.signals), mounts: count(a.mounts), unhandled: count(a.unhandled),
      },
    });
  }
  if (result.bpf) {
    const b = result.bpf;
    rows.push({
      enforcer: 'BPF',
      entries: {
        executions: count(b.executions), files: count(b.files), capabilities: count(b.capabilities), sockets: count(b.network?.sockets),
        egresses: count(b.network?.egresses), ptraces: count(b.ptraces), mounts: count(b.mounts),
      },
    });
  }
  if (result.seccomp) rows.push({ enforcer: 'Seccomp', entries: { syscalls: count(result.seccomp.syscalls) } });
  return rows;
}
