import type { PolicyReport } from '@armorkit/plugin-k8s/manager';
import { EXIT, type CliIO } from '../io.js';

export interface K8sStatusOptions {
  kubeconfig?: string;
  namespace?: string;
  json?: boolean;
}

const describe = (report: PolicyReport) => `${report.kind} ${report.namespace !== undefined ? `${report.namespace}/` : ''}${report.name}`;

/** Columns padded to their widest cell; the last column is not padded. */
function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  '));
}

/** One block per policy: its phase and readiness, then its nodes. */
export function formatPolicyReports(reports: readonly PolicyReport[]): string {
  const blocks = reports.map((report) => {
    const head = `${describe(report)}: ${report.phase}, ${report.ready ? 'ready' : 'not ready'}${report.profile ? `, ArmorProfile ${report.profile} loaded on ${report.current} of ${report.desired} nodes` : ', no ArmorProfile yet'}`;
    const lines = [head, ...(report.message ? [`  ${report.message}`] : [])];
    if (report.nodes.length > 0) lines.push(...table([['NODE', 'STATE', 'MESSAGE'], ...report.nodes.map((node) => [node.node, node.state, node.message])]).map((line) => `  ${line}`));
    return lines.join('\n');
  });
  return blocks.join('\n\n');
}

/**
 * `armorkit k8s status [POLICY] [-n NS] [--json]`: per policy, the phase and readiness the controller wrote, and each
 * node's state for its ArmorProfile (docs/cli.md#armorkit-k8s-status). Exit 1 when a named policy does not exist.
 */
export async function k8sStatusCommand(policy: string | undefined, options: K8sStatusOptions, io: CliIO): Promise<number> {
  const { loadKubeConfig, readPolicyStatus } = await import('@armorkit/plugin-k8s/manager');
  const loaded = loadKubeConfig(options.kubeconfig);
  if ('problem' in loaded) {
    io.err(`armorkit: ${loaded.problem}`);
    return EXIT.usage;
  }
  const read = await readPolicyStatus({
    kubeConfig: loaded.kubeConfig,
    ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
    ...(policy !== undefined ? { name: policy } : {}),
  });
  if ('problem' in read) {
    io.err(`armorkit: ${read.problem}`);
    return EXIT.usage;
  }
  if (policy !== undefined && read.reports.length === 0) {
    io.err(`armorkit: no ${options.namespace !== undefined ? `VarmorPolicy or KubeArmorPolicy in namespace ${options.namespace}` : 'policy'} is named ${JSON.stringify(policy)}`);
    return EXIT.invalid;
  }
  if (options.json) io.out(JSON.stringify(read.reports, null, 2));
  else io.out(read.reports.length > 0 ? formatPolicyReports(read.reports) : 'no policy (VarmorPolicy, VarmorClusterPolicy or KubeArmor\'s kinds)');
  return EXIT.ok;
}
