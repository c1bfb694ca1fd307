import type { Command } from 'commander';

// The flags of `armorkit k8s agent`, declared apart from main.ts so that a test parses the chart's DaemonSet args
// with the very parser the binary uses (packages/cli/test/k8s-agent-chart.test.ts).

/** What commander gives the action: every flag as typed, before defaults and checks (k8s-agent.ts). */
export interface K8sAgentFlags {
  nodeName?: string;
  kubeconfig?: string;
  readiness?: string;
  violationsLog?: string | false;
  auditLog?: string[];
  seccompDir?: string;
  proc?: string;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Declares the agent's flags on `command` (the `agent` subcommand of `k8s`). */
export function declareAgentFlags(command: Command): Command {
  return command
    .option('--node-name <name>', 'the node this agent runs on: its pods are watched, ArmorNodeStatus/<name> is written (default: $NODE_NAME)')
    .option('--kubeconfig <file>', 'the cluster (default: the service account, KUBECONFIG or ~/.kube/config)')
    .option('--readiness <addr:port>', 'serve GET /health/readiness (plain HTTP) here (default 0.0.0.0:9580)')
    .option('--violations-log <path>', 'write violations as JSON lines here, rotated at 10 MB (default /var/log/armorkit/violations.log)')
    .option('--no-violations-log', 'follow no audit source and write no violations.log')
    .option('--audit-log <path>', 'an audit log to follow, the first that exists (default /var/log/audit/audit.log, then /var/log/kern.log); repeatable', collect)
    .option('--seccomp-dir <dir>', "where the kubelet reads Localhost seccomp profiles (default /var/lib/kubelet/seccomp)")
    .option('--proc <dir>', "the node's /proc (the pod runs with hostPID; default /proc)");
}
