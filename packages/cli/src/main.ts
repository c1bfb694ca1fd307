import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import type { Enforcer, Engine, Plugin, PolicyInput } from '@armorkit/core';
import { EXIT, processIO, UsageError, type CliIO } from './io.js';
import { declareAgentFlags, type K8sAgentFlags } from './commands/k8s-agent-options.js';
import { matchLabelFlag } from './commands/match-label-flag.js';

// Only commander and this file load at start: each command, the engine and its plugins are imported when the
// command runs, so `--help` and `--version` cost about what `node -e 0` costs (docs/cli.md#start-up).
// The version from the package's own package.json, one directory above src/ and dist/ alike.
const cliPackage: { version: string } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

const MATCH_LABEL_HELP = "a label workloads must carry; repeatable, all must match; '' alone for none (default sandbox.varmor.org/enable=true)";

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. Never throws. */
export async function main(argv: readonly string[], io: CliIO = processIO): Promise<number> {
  let exitCode: number = EXIT.ok;
  // The engine a command used; closed when the command ends, so what its backends opened is let go of.
  let opened: Engine | undefined;
  try {
  const program = new Command('armorkit')
    .description('Compile vArmor sandbox policies into AppArmor, seccomp and BPF-LSM profiles, load them, and report violations.')
    .version(cliPackage.version)
    .option('-c, --config <file>', 'armorkit.config.{mjs,js,ts} composing the engine (default: ./armorkit.config.*)')
    .exitOverride()
    .enablePositionalOptions()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .showHelpAfterError();

  // With `inputs` (or `enforcers`), the engine is for those policies (enforcers) only: it may leave out the plugins of
  // the other enforcers. `plugins` are the command's own instances of official plugins (the manager's BPF resolver).
  const engine = async (inputs?: readonly PolicyInput[], narrow: { enforcers?: readonly Enforcer[]; plugins?: readonly Plugin[] } = {}): Promise<Engine> => {
    const { loadEngine } = await import('./default-engine.js');
    opened = (await loadEngine({ config: program.opts<{ config?: string }>().config, cwd: io.cwd, ...(inputs ? { inputs } : {}), ...narrow })).engine;
    return opened;
  };

  program
    .command('validate')
    .description('run every check compile runs, writing nothing; exit 0 when all policies are valid, 1 when any is not, 2 on usage errors')
    .argument('<paths...>', 'policy files, directories (every .yaml/.yml/.json below), or - for standard input')
    .option('--no-verify', 'skip checking the compiled profiles with the real tools (apparmor_parser -Q)')
    .option('--model <file>', 'ArmorProfileModel YAML for DefenseInDepth policies with profileType BehaviorModel; repeatable', collect)
    .option('--previous <file>', "the policies as they are now (kubectl get -o yaml); also check vArmor's update rules from them")
    .action(async (paths: string[], options: { verify?: boolean; model?: string[]; previous?: string }) => {
      if (options.previous !== undefined) {
        const { validateUpdateCommand } = await import('./commands/validate-update.js');
        exitCode = await validateUpdateCommand(engine, options.previous, paths, options, io);
        return;
      }
      const { validateCommand } = await import('./commands/validate.js');
      exitCode = await validateCommand(engine, paths, options, io);
    });

  program
    .command('compile')
    .description('compile policies with every installed enforcer plugin (or the ones chosen)')
    .argument('<paths...>', 'policy files, directories, or -')
    .option('-e, --enforcer <name>', 'only this enforcer (apparmor, bpf, seccomp, networkproxy); repeatable', collect)
    .option('-o, --out <dir>', 'write <profileName>.<enforcer> files here instead of printing them')
    .option('-f, --format <format>', 'text or json', 'text')
    .option('--no-verify', 'skip checking the output with the real tools (apparmor_parser -Q)')
    .option('--model <file>', 'ArmorProfileModel YAML for DefenseInDepth policies with profileType BehaviorModel; repeatable', collect)
    .action(async (paths: string[], options: { enforcer?: string[]; out?: string; format?: string; verify?: boolean; model?: string[] }) => {
      const { compileCommand } = await import('./commands/compile.js');
      exitCode = await compileCommand(await engine(), paths, options, io);
    });

  program
    .command('explain')
    .description('per rule and enforcer: what it does, or why it does nothing there')
    .argument('<paths...>', 'policy files, directories, or -')
    .option('-f, --format <format>', 'text or json', 'text')
    .option('--model <file>', 'ArmorProfileModel YAML for DefenseInDepth policies; repeatable', collect)
    .action(async (paths: string[], options: { format?: string; model?: string[] }) => {
      const { explainCommand } = await import('./commands/explain.js');
      exitCode = explainCommand(await engine(), paths, options, io);
    });

  program
    .command('rules')
    .description('the rule catalogue of the installed rule packs')
    .option('-e, --enforcer <name>', 'only rules this enforcer implements')
    .option('-f, --format <format>', 'text or json', 'text')
    .action(async (options: { enforcer?: string; format?: string }) => {
      const { rulesCommand } = await import('./commands/rules.js');
      exitCode = rulesCommand(await engine(), options, io);
    });

  program
    .command('run')
    .description('run a command confined by a policy with every enforcer this kernel supports; exits with its code')
    .requiredOption('-p, --policy <file>', 'a policy file; repeatable (KubeArmor policies given together are merged, as for one container)', collect)
    .option('--name <policy>', 'only the policy of this name (of the files\' several); repeatable', collect)
    .option('--container <name>', 'the container the command stands for (checked against target.containers)')
    .option('-e, --enforcer <name>', 'only this enforcer; repeatable', collect)
    .option('--model <file>', 'ArmorProfileModel YAML for a DefenseInDepth policy built on a behaviour model; repeatable', collect)
    .argument('<command...>', 'the command and its arguments, after --')
    .passThroughOptions()
    .action(async (command: string[], options: { policy: string[]; name?: string[]; container?: string; enforcer?: string[]; model?: string[] }) => {
      const { runCommand } = await import('./commands/run.js');
      exitCode = await runCommand(await engine(), command, options, io);
    });

  program
    .command('model')
    .description('run a command under a BehaviorModeling policy and write the ArmorProfileModel of what it did')
    .requiredOption('-p, --policy <file>', 'the policy file (mode BehaviorModeling, or DefenseInDepth with allowViolations to grow --model)')
    .requiredOption('-o, --out <file>', 'where the ArmorProfileModel YAML is written')
    .option('--name <policy>', 'the policy to use when the file has several')
    .option('-d, --duration <duration>', 'stop the command after this long (30s, 5m, 1h; a bare number is minutes); default: modelingOptions.duration')
    .option('--model <file>', 'the ArmorProfileModel a DefenseInDepth policy with allowViolations builds on; the new events are merged into it', collect)
    .option('--audit-log <file>', 'where AppArmor and seccomp records arrive (default /dev/kmsg; /var/log/audit/audit.log with auditd)')
    .option('--progress <duration>', 'how often progress is printed (default 5s)')
    .argument('<command...>', 'the command and its arguments, after --')
    .passThroughOptions()
    .action(async (command: string[], options: { policy: string; out: string; name?: string; duration?: string; model?: string[]; auditLog?: string; progress?: string }) => {
      const { modelCommand } = await import('./commands/model.js');
      exitCode = await modelCommand(await engine(), command, options, io);
    });

  program
    .command('audit')
    .description('turn kernel audit lines (kern.log, dmesg, journald, audit.log) into violation events (JSON lines)')
    .argument('[files...]', 'log files, or - for standard input (default)')
    .option('-p, --policies <path>', 'policy files or directories, to name the policy of each event; repeatable', collect)
    .option('-l, --log <file>', 'append to this file with size rotation (like violations.log) instead of stdout')
    .option('--format <format>', "varmor (violations.log lines, the default) or kubearmor (KubeArmor's alert JSON, as karmor logs --json prints it)")
    .option('-f, --follow', 'keep reading lines appended to the files (and events of the --source channels)')
    .option('-s, --source <enforcer>', "also read an enforcer's own event channel: bpf (the BPF-LSM ring buffer), networkproxy (the proxy's events file); repeatable", collect)
    .option('-q, --quiet', 'no summary on stderr')
    .action(async (files: string[], options: { policies?: string[]; log?: string; format?: string; follow?: boolean; quiet?: boolean; source?: string[] }) => {
      const { auditCommand, auditEnforcers } = await import('./commands/audit.js');
      exitCode = await auditCommand(await engine(undefined, { enforcers: auditEnforcers(options) }), files, options, io);
    });

  program
    .command('proxy')
    .description('run the NetworkProxy data plane (transparent egress proxy) from a proxy configuration')
    .option('--config <file>', 'the proxy configuration (JSON, from `armorkit compile --out`)')
    .option('--header-timeout-ms <ms>', 'time for a ClientHello or a request head to arrive whole (default 10000)')
    .option('--idle-timeout-ms <ms>', 'close a connection idle this long (default 300000)')
    .option('--max-connections <n>', 'client connections open at once (default 10000)')
    .option('--secrets-dir <dir>', 'secretRef header values as files <dir>/<secret>/<key> (before ARMORKIT_SECRET_* variables)')
    .option('--events <to>', "where the audit events go, over the configuration's audit.events: stderr, or an absolute file path")
    .action(async (options: { config?: string; headerTimeoutMs?: string; idleTimeoutMs?: string; maxConnections?: string; secretsDir?: string; events?: string }) => {
      const { proxyCommand } = await import('./commands/proxy.js');
      exitCode = await proxyCommand(options, io);
    });

  program
    .command('mitm-ca')
    .description("make a NetworkProxy MITM CA (ECDSA P-256): ca.crt for the clients' trust, ca.key (0600) for the proxy's mitm.ca")
    .option('--out <dir>', 'the directory to write ca.crt and ca.key into (made 0700 when missing)')
    .option('--overwrite', 'replace a CA already there (clients trusting it will fail)')
    .action(async (options: { out?: string; overwrite?: boolean }) => {
      const { mitmCaCommand } = await import('./commands/mitm-ca.js');
      exitCode = await mitmCaCommand(options, io);
    });

  program
    .command('demo')
    .description('enforce the example policies on real processes inside kernel-lab and show what was allowed, denied, audited')
    .action(async () => {
      const { demoCommand } = await import('./commands/demo.js');
      exitCode = await demoCommand(await engine(), io);
    });

  const lab = program.command('lab').description('kernel-lab: a real Linux kernel with AppArmor and BPF-LSM under qemu');
  lab
    .command('run')
    .description('run a command as root in a fresh VM; exits with its code')
    .option('-t, --timeout <seconds>', 'stop the VM after this long (default 600)')
    .option('-m, --memory <MiB>', 'guest memory (default 2048)')
    .option('-k, --kernel-log', 'print the audit lines of the guest kernel log to stderr')
    .argument('<command...>', 'the command and its arguments, after --')
    .passThroughOptions()
    .action(async (command: string[], options: { timeout?: string; memory?: string; kernelLog?: boolean }) => {
      const { labRunCommand } = await import('./commands/lab.js');
      exitCode = await labRunCommand(command, options, io);
    });
  lab
    .command('doctor')
    .description('what kernel-lab needs (qemu, kernel, busybox, modules) and whether it is here')
    .action(async () => {
      const { labDoctorCommand } = await import('./commands/lab.js');
      exitCode = labDoctorCommand(io);
    });

  const k8s = program.command('k8s').description('armorkit on Kubernetes: manifests, admission webhooks, what they do offline');
  k8s
    .command('mutate')
    .description('print the JSON patch the mutating webhook would return for each workload of the file (one line each)')
    .argument('<workload>', 'YAML with Pods, Deployments, StatefulSets or DaemonSets, or - for standard input')
    .option('-p, --policies <path>', 'VarmorPolicy / VarmorClusterPolicy files or directories; repeatable', collect)
    .option('--kube-version <x.y>', 'the Kubernetes version to mutate for: AppArmor by annotation before 1.30 (default 1.30)')
    .addOption(matchLabelFlag(MATCH_LABEL_HELP))
    .option('--op-style <style>', "rfc6902 (add what is missing; default) or varmor (vArmor's replace)")
    .option('--apply', 'print the mutated documents as YAML instead of the patches')
    .action(async (workload: string, options: { policies?: string[]; kubeVersion?: string; matchLabel?: string[]; opStyle?: string; apply?: boolean }) => {
      const { k8sMutateCommand } = await import('./commands/k8s-mutate.js');
      exitCode = await k8sMutateCommand(engine, workload, options, io);
    });
  k8s
    .command('render')
    .description('print the manifests that install armorkit (CRDs, webhooks and their TLS, manager, agent, RBAC) as one YAML stream')
    .option('--values <file>', 'values (YAML), the keys of deploy/helm/armorkit/values.yaml plus namespace')
    .option('--namespace <name>', 'the namespace to install into (default armorkit)')
    .option('--out <file>', 'write the stream here (mode 0600: it holds the serving key) instead of printing it')
    .option('--tls-dir <dir>', 'reuse ca.crt, tls.crt and tls.key from here, or write new ones here (key 0600)')
    .action(async (options: { values?: string; namespace?: string; out?: string; tlsDir?: string }) => {
      const { k8sRenderCommand } = await import('./commands/k8s-render.js');
      exitCode = await k8sRenderCommand(options, io);
    });
  k8s
    .command('webhook')
    .description('serve the admission webhooks (/validate, and /mutate with --watch-policies or --policies) over HTTPS until SIGTERM')
    .requiredOption('--cert <file>', 'the serving certificate (PEM); read again when it changes')
    .requiredOption('--key <file>', 'its private key (PEM)')
    .option('--listen <addr:port>', 'where the webhooks listen (HTTPS, with /healthz and /readyz; default 0.0.0.0:3443)')
    .option('--metrics <addr:port>', 'serve Prometheus metrics (plain HTTP /metrics) here; off unless given')
    .option('--no-verify', 'skip checking compiled profiles with the real tools (apparmor_parser -Q)')
    .option('--model <file>', 'ArmorProfileModel YAML for DefenseInDepth policies built on one; repeatable', collect)
    .option('--review-timeout <seconds>', "refuse a review not checked within this (default 9; keep it under the webhooks' timeoutSeconds)")
    .option('-p, --policies <path>', 'serve /mutate too, matching workloads against these policy files or directories (read at start); repeatable', collect)
    .option('--kube-version <x.y>', "the cluster's Kubernetes version the pod patches are for (with --policies)")
    .option('--watch-policies', "serve /mutate from the cluster's VarmorPolicies and VarmorClusterPolicies, watched (service account or KUBECONFIG)")
    .addOption(matchLabelFlag(MATCH_LABEL_HELP))
    .option('--kubearmor', "with --watch-policies: KubeArmorPolicies and KubeArmorClusterPolicies too, for every pod they select (no match label); KubeArmor's CRDs may be missing")
    .action(async (options: { cert: string; key: string; listen?: string; metrics?: string; verify?: boolean; model?: string[]; reviewTimeout?: string; policies?: string[]; kubeVersion?: string; matchLabel?: string[]; watchPolicies?: boolean; kubearmor?: boolean }) => {
      const { k8sWebhookCommand } = await import('./commands/k8s-webhook.js');
      exitCode = await k8sWebhookCommand(await engine(), options, io);
    });

  k8s
    .command('manager')
    .description('run the controller (policies → ArmorProfiles, statuses from the nodes, NetworkProxy Secrets) under leader election until SIGTERM')
    .option('--kubeconfig <file>', 'the cluster to manage (default: the service account, KUBECONFIG or ~/.kube/config)')
    .option('--namespace <ns>', "armorkit's own namespace: cluster policies' ArmorProfiles and the Lease (default armorkit)")
    .option('--lease-name <name>', 'the coordination.k8s.io Lease the replicas elect a leader on (default armorkit-manager)')
    .option('--metrics <addr:port>', 'serve Prometheus metrics (plain HTTP /metrics) here; off unless given')
    .option('--resync <duration>', 'reconcile every policy again this often from the caches (default 10m)')
    .addOption(matchLabelFlag("the mutating webhook's --match-labels, repeatable: only workloads with all of them are restarted (default sandbox.varmor.org/enable=true)"))
    .option('--no-restart-existing-workloads', "never restart workloads, even for policies with spec.updateExistingWorkloads (vArmor's --restartExistWorkloads=false)")
    .option('--no-pod-egress', 'resolve toServices only, not toPods (no watch of every Pod)')
    .option('--kubearmor', "turn KubeArmorPolicies, KubeArmorClusterPolicies and KubeArmorHostPolicies into ArmorProfiles too; KubeArmor's CRDs may be missing (watched for until installed)")
    .action(async (options: { kubeconfig?: string; namespace?: string; leaseName?: string; metrics?: string; resync?: string; matchLabel?: string[]; restartExistingWorkloads?: boolean; podEgress?: boolean; kubearmor?: boolean }) => {
      const { k8sManagerCommand } = await import('./commands/k8s-manager.js');
      exitCode = await k8sManagerCommand((plugins) => engine(undefined, { plugins }), options, io);
    });

  declareAgentFlags(
    k8s.command('agent').description("run the node agent (the ArmorProfiles loaded on this node, its containers found, ArmorNodeStatus reported, violations.log written) until SIGTERM"),
  ).action(async (options: K8sAgentFlags) => {
    const { k8sAgentCommand } = await import('./commands/k8s-agent.js');
    exitCode = await k8sAgentCommand(() => engine(), options, io);
  });

  k8s
    .command('status')
    .description('per policy: its phase and readiness, and each node\'s state for its ArmorProfile (from the ArmorNodeStatus reports)')
    .argument('[policy]', 'only the policies of this name')
    .option('-n, --namespace <ns>', 'only the VarmorPolicies of this namespace (default: every namespace and the cluster policies)')
    .option('--kubeconfig <file>', 'the cluster (default: the service account, KUBECONFIG or ~/.kube/config)')
    .option('--json', 'print the reports as JSON')
    .action(async (policy: string | undefined, options: { namespace?: string; kubeconfig?: string; json?: boolean }) => {
      const { k8sStatusCommand } = await import('./commands/k8s-status.js');
      exitCode = await k8sStatusCommand(policy, options, io);
    });

  program
    .command('schema')
    .description('print the JSON Schema of VarmorPolicy / VarmorClusterPolicy (for editors and CRDs)')
    .action(async () => {
      const { schemaCommand } = await import('./commands/schema.js');
      exitCode = schemaCommand(io);
    });

    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof UsageError) {
      io.err(`armorkit: ${error.message}`);
      return error.exitCode;
    }
    // Core is loaded by then if it threw this; a failure before any command ran never imports it.
    const { PolicyErrors } = await import('@armorkit/core');
    if (error instanceof PolicyErrors) {
      io.err(error.message);
      return EXIT.invalid;
    }
    io.err(`armorkit: ${(error as Error).message ?? String(error)}`);
    if (process.env.ARMORKIT_DEBUG) io.err((error as Error).stack ?? '');
    return EXIT.usage;
  } finally {
    const closed = await opened?.close();
    if (closed && !closed.ok) for (const error of closed.errors) io.err(`armorkit: ${error.message}`);
  }
}
