// The agent DaemonSet of the manifests (and so of the Helm chart, generated from them) runs `armorkit k8s agent`
// with flags the CLI's own parser accepts, and what they come to matches the pod: NODE_NAME from the downward API,
// the readiness port and probe, the host paths the agent writes, hostPID for /proc.
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { renderManifests } from '@armorkit/plugin-k8s/install';
import { defaultValues, renderValuesSchema } from '../../plugin-k8s/src/render/values.js';
import { AGENT_READINESS_PATH } from '../../plugin-k8s/src/render/manifests.js';
import { agentSettings } from '../src/commands/k8s-agent.js';
import { declareAgentFlags, type K8sAgentFlags } from '../src/commands/k8s-agent-options.js';

interface Container {
  command: string[];
  args: string[];
  env: { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
  ports: { name: string; containerPort: number; protocol: string }[];
  readinessProbe: { httpGet: { path: string; port: string | number; scheme: string } };
  volumeMounts: { name: string; mountPath: string; readOnly?: boolean }[];
}

function agentPod(values = defaultValues()): { hostPID: boolean; containers: Container[] } {
  const daemonSet = renderManifests({ values, tls: { caCertificate: 'CA\n', certificate: 'CERT\n', privateKey: 'KEY\n' } }).find((manifest) => manifest.kind === 'DaemonSet');
  expect(daemonSet).toBeDefined();
  return (daemonSet as unknown as { spec: { template: { spec: { hostPID: boolean; containers: Container[] } } } }).spec.template.spec;
}

/** The kubelet's `$(VAR)` expansion of a container's args from its env (the downward API gives spec.nodeName). */
function expandArgs(container: Container, downward: Record<string, string>): string[] {
  const env = new Map(container.env.map((variable) => [variable.name, variable.value ?? downward[variable.valueFrom?.fieldRef?.fieldPath ?? ''] ?? '']));
  return container.args.map((arg) => arg.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name: string) => env.get(name) ?? whole));
}

/** The args after `k8s agent`, parsed by the flags main.ts declares for `armorkit k8s agent`. */
function parseAgentArgs(args: readonly string[]): K8sAgentFlags {
  expect(args.slice(0, 2)).toEqual(['k8s', 'agent']);
  const command = declareAgentFlags(new Command('agent')).exitOverride().action(() => {});
  command.parse(args.slice(2), { from: 'user' });
  return command.opts<K8sAgentFlags>();
}

const within = (path: string, mounts: Container['volumeMounts']) => mounts.some((mount) => path === mount.mountPath || path.startsWith(`${mount.mountPath}/`));
const writable = (path: string, mounts: Container['volumeMounts']) => within(path, mounts.filter((mount) => !mount.readOnly));

describe('the agent DaemonSet runs what armorkit k8s agent accepts', () => {
  for (const [what, input] of [
    ['default values', {}],
    ['another readiness port', { agent: { enabled: true, readinessPort: 19580 } }],
  ] as const) {
    it(`${what}: args parse, and the node, port, probe and paths agree with the pod`, () => {
      const values = renderValuesSchema.parse(input);
      const pod = agentPod(values);
      const container = pod.containers.find((candidate) => candidate.command[0] === 'armorkit');
      expect(container).toBeDefined();
      const args = expandArgs(container!, { 'spec.nodeName': 'worker-7.example' });
      const settings = agentSettings(parseAgentArgs(args), {}, '/');
      expect(settings.node).toBe('worker-7.example');

      const port = container!.ports.find((candidate) => candidate.containerPort === settings.readiness.port);
      expect(port).toMatchObject({ protocol: 'TCP', containerPort: values.agent.readinessPort });
      // The probe reaches it: its named port, the path the agent serves, on every address of the pod.
      expect(container!.readinessProbe.httpGet).toEqual({ path: AGENT_READINESS_PATH, port: port!.name, scheme: 'HTTP' });
      expect(AGENT_READINESS_PATH).toBe('/health/readiness');
      expect(settings.readiness.host).toBe('0.0.0.0');

      // What the agent writes is on the node, not in the container's own filesystem.
      const mounts = container!.volumeMounts;
      expect(writable(settings.seccompDirectory, mounts)).toBe(true);
      expect(settings.violationsLog && writable(settings.violationsLog, mounts)).toBe(true);
      for (const log of settings.auditLogs) expect(within(log, mounts)).toBe(true);
      expect(writable('/etc/apparmor.d', mounts) && writable('/sys/kernel/security', mounts) && writable('/sys/fs/bpf', mounts)).toBe(true);
      // The node's processes: /proc with hostPID.
      expect(settings.proc).toBe('/proc');
      expect(pod.hostPID).toBe(true);
    });
  }

  it('an unexpanded $(NODE_NAME) (the variable missing from env) is refused with the value', () => {
    const container = agentPod().containers[0]!;
    expect(() => agentSettings(parseAgentArgs(container.args), {}, '/')).toThrow('--node-name: "$(NODE_NAME)" is not a node name');
  });
});
