import type { Engine } from '@armorkit/core';
import type { ViolationEvent } from '@armorkit/core/audit';
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { type Backoff, watchResource } from '../cluster/watched-resource.js';
import { VARMOR_GROUP } from '../crd/kinds.js';
import type { ArmorNodeStatus } from '../node-status/schema.js';
import type { ListenAddress } from '../server/listen-address.js';
import { readArmorProfiles, type UnreadableProfile, type WatchedProfile } from './armor-profiles.js';
import { ModelPartWriter } from '../model/part-writer.js';
import { locateContainers } from './bpf-plan.js';
import { Modelers } from './modelers.js';
import { PrintkRateLimit } from './printk-rate-limit.js';
import { containerProfileOf, type NodePod, readNodePod } from './node-pods.js';
import { nodeReport, sameReport } from './node-report.js';
import { NodeReportWriter } from './node-report-writer.js';
import { containerProcess, mountNamespaceOf, scanContainerProcesses } from './proc-scan.js';
import { type ReadinessServer, startReadinessServer } from './readiness.js';
import { Reconciler } from './reconciler.js';
import { DEFAULT_AUDIT_LOGS, type EventAttribution, startViolationLog, type ViolationLog } from './violations.js';

export const AGENT_DEFAULTS = {
  seccompDirectory: '/var/lib/kubelet/seccomp',
  proc: '/proc',
  violationsLog: '/var/log/armorkit/violations.log',
  readiness: { host: '0.0.0.0', port: 9580 },
  /** A report is written at every change; without one, this often, so the controller can tell a live node. */
  heartbeatInterval: 5 * 60_000,
  /** How often the node's processes are looked at for started and restarted containers (while BPF profiles apply). */
  rescanInterval: 2_000,
  /** After a failed report, the next try. */
  retryInterval: 5_000,
  /** While a BehaviorModeling run records, the node's part of the model is written this often (when it grew). */
  modelWriteInterval: 60_000,
};

export interface NodeAgentOptions {
  engine: Engine;
  kubeConfig: KubeConfig;
  node: string;
  seccompDirectory?: string;
  proc?: string;
  /** Where `/health/readiness` is served; none when absent. */
  readiness?: ListenAddress;
  /** Where violations are written; no audit when absent. */
  violationsLog?: string;
  auditLogs?: readonly string[];
  heartbeatInterval?: number;
  rescanInterval?: number;
  retryInterval?: number;
  modelWriteInterval?: number;
  /** The largest chunk of a model part, in bytes of JSON (default MODEL_CHUNK_BYTES). */
  modelChunkBytes?: number;
  backoff?: Backoff;
  log?: (line: string) => void;
  clock?: () => Date;
}

export interface NodeAgent {
  /** Resolves after the first complete pass: profiles and pods listed, the node made to hold them, reported. */
  readonly ready: Promise<void>;
  isReady(): boolean;
  readonly readinessAddress: ListenAddress | undefined;
  /** What is applied now. */
  applied(): ReturnType<Reconciler['snapshot']>;
  /** The report written last. */
  lastReport(): ArmorNodeStatus | undefined;
  /** Requests made to write the node's report. */
  reportRequests(): number;
  /** Resolves when no pass is running or due (tests wait for it after a change). */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

const ARMOR_PROFILES = { group: VARMOR_GROUP, version: 'v1beta1', plural: 'armorprofiles' };

/**
 * `armorkit k8s agent`: watches the ArmorProfiles (all namespaces) and the pods of its node (field selector
 * `spec.nodeName`), makes the node hold the profiles (Reconciler), reports to `ArmorNodeStatus/<node>` once per
 * change and at each heartbeat, writes violations.log, and answers `/health/readiness`.
 */
export async function startNodeAgent(options: NodeAgentOptions): Promise<{ agent: NodeAgent } | { problem: string }> {
  const log = options.log ?? (() => {});
  const clock = options.clock ?? (() => new Date());
  const proc = options.proc ?? AGENT_DEFAULTS.proc;
  const hostNamespace = await mountNamespaceOf(proc, 1);
  const reconciler = new Reconciler({
    engine: options.engine,
    seccompDirectory: options.seccompDirectory ?? AGENT_DEFAULTS.seccompDirectory,
    scan: () => scanContainerProcesses(proc),
    ...(hostNamespace !== undefined ? { hostNamespace } : {}),
    log,
  });
  await reconciler.start();
  const writer = new NodeReportWriter(options.kubeConfig, options.node);
  const objects = options.kubeConfig.makeApiClient(CustomObjectsApi);
  const core = options.kubeConfig.makeApiClient(CoreV1Api);
  // Behaviour modelling needs the events: only with the audit sources (violationsLog).
  const printk = new PrintkRateLimit(proc, log);
  const modelers = options.violationsLog
    ? new Modelers({
        engine: options.engine,
        kubeConfig: options.kubeConfig,
        node: options.node,
        writer: new ModelPartWriter(options.kubeConfig, options.modelChunkBytes),
        writeInterval: options.modelWriteInterval ?? AGENT_DEFAULTS.modelWriteInterval,
        clock,
        log,
        onRecording: (recording) => printk.hold(recording),
      })
    : undefined;

  let profiles: { profiles: WatchedProfile[]; unreadable: UnreadableProfile[] } = { profiles: [], unreadable: [] };
  let pods: NodePod[] = [];
  let lastWritten: ArmorNodeStatus | undefined;
  let lastOutcomes: Parameters<typeof nodeReport>[0]['outcomes'] = [];
  let ready = false;
  let stopped = false;
  let markReady: () => void = () => {};
  const readyPromise = new Promise<void>((resolve) => (markReady = resolve));

  let dirty = false;
  let running: Promise<void> | undefined;
  const schedule = () => {
    dirty = true;
    running ??= loop().finally(() => (running = undefined));
  };
  const loop = async () => {
    while (dirty && !stopped) {
      dirty = false;
      await pass().catch((error: unknown) => log(`reconcile failed (tried again at the next change): ${error instanceof Error ? error.message : String(error)}`));
    }
  };

  const backoff = options.backoff ? { backoff: options.backoff } : {};
  const profileWatch = watchResource({
    kubeConfig: options.kubeConfig,
    path: `/apis/${ARMOR_PROFILES.group}/${ARMOR_PROFILES.version}/${ARMOR_PROFILES.plural}`,
    list: () => objects.listClusterCustomObject(ARMOR_PROFILES),
    onChange: (held) => {
      profiles = readArmorProfiles(held);
      modelers?.update(profiles.profiles);
      schedule();
    },
    log,
    ...backoff,
  });
  const fieldSelector = `spec.nodeName=${options.node}`;
  const podWatch = watchResource({
    kubeConfig: options.kubeConfig,
    path: '/api/v1/pods',
    fieldSelector,
    list: () => core.listPodForAllNamespaces({ fieldSelector }),
    onChange: (held) => {
      pods = held.map(readNodePod).filter((pod): pod is NodePod => pod !== undefined);
      schedule();
    },
    log,
    ...backoff,
  });

  // A watch reports its first list just before it counts as ready: pass again once each is.
  void profileWatch.ready.then(schedule);
  void podWatch.ready.then(schedule);

  let retry: NodeJS.Timeout | undefined;
  const report = async (heartbeat: boolean) => {
    const next = nodeReport({ node: options.node, enforcers: reconciler.enforcers, unavailable: reconciler.unavailable, outcomes: lastOutcomes, previous: lastWritten, now: clock() });
    if (!heartbeat && sameReport(lastWritten, next)) return;
    const problem = await writer.write(next);
    if (problem === undefined) {
      lastWritten = next;
      return;
    }
    log(`${problem}; writing it again in ${options.retryInterval ?? AGENT_DEFAULTS.retryInterval} ms`);
    clearTimeout(retry);
    retry = setTimeout(() => void report(true), options.retryInterval ?? AGENT_DEFAULTS.retryInterval);
  };

  async function pass(): Promise<void> {
    // Nothing is removed on partial knowledge: until both lists are in, what is loaded stays.
    if (!profileWatch.isReady() || !podWatch.isReady()) return;
    lastOutcomes = await reconciler.reconcile(profiles.profiles, profiles.unreadable, pods);
    await report(false);
    if (!ready) {
      ready = true;
      markReady();
    }
  }

  const owners = () => new Map(profiles.profiles.map((profile) => [profile.profile.name, profile.owner]));
  const attribute = async (event: ViolationEvent): Promise<EventAttribution & { mntNsID?: number }> => {
    let container = event.mntNsID ? reconciler.containers.find((located) => located.mountNamespace === event.mntNsID) : undefined;
    if (!container && event.pid) {
      const process = await containerProcess(proc, event.pid);
      container = process ? locateContainers(pods, [process], hostNamespace)[0] : undefined;
    }
    const owner = owners().get(event.profileName);
    return {
      ...(container
        ? { podUID: container.podUID, podName: container.podName, podNamespace: container.podNamespace, containerID: container.containerID, containerName: container.containerName, image: container.image, mntNsID: container.mountNamespace }
        : {}),
      ...(owner ? { policyKind: owner.kind, policyName: owner.name, policyNamespace: owner.namespace } : {}),
    };
  };
  let violations: ViolationLog | undefined;
  if (options.violationsLog) {
    violations = await startViolationLog({
      engine: options.engine,
      node: options.node,
      path: options.violationsLog,
      auditLogs: options.auditLogs ?? DEFAULT_AUDIT_LOGS,
      bpf: reconciler.unavailable.BPF === undefined,
      attribute,
      ...(modelers
        ? {
            take: (event: ViolationEvent, attribution: EventAttribution) => {
              const pod = attribution.podUID ? pods.find((candidate) => candidate.uid === attribution.podUID) : undefined;
              const profileName = event.profileName || (pod && attribution.containerName ? containerProfileOf(pod, attribution.containerName) : undefined);
              return profileName !== undefined && modelers.record(event, profileName);
            },
          }
        : {}),
      log,
    });
    log(`violations.log at ${options.violationsLog} from ${violations.sources.join(' and ') || 'no source'}`);
  }

  let readiness: ReadinessServer | undefined;
  const stopAll = async () => {
    stopped = true;
    clearInterval(heartbeat);
    clearInterval(rescan);
    clearTimeout(retry);
    await Promise.all([profileWatch.stop(), podWatch.stop()]);
    await running;
    await violations?.stop();
    await modelers?.stop();
    await readiness?.close();
  };
  const heartbeat = setInterval(() => ready && void report(true), options.heartbeatInterval ?? AGENT_DEFAULTS.heartbeatInterval);
  // Started and restarted containers show in /proc before (or without) a pod status change: look again now and then.
  const rescan = setInterval(() => ready && reconciler.watchesContainers() && schedule(), options.rescanInterval ?? AGENT_DEFAULTS.rescanInterval);
  if (options.readiness) {
    const started = await startReadinessServer(options.readiness, () => ({
      ready,
      detail: { node: options.node, profilesListed: profileWatch.isReady(), podsListed: podWatch.isReady(), enforcers: reconciler.enforcers, unavailable: reconciler.unavailable },
    }));
    if ('problem' in started) {
      await stopAll();
      return started;
    }
    readiness = started.server;
  }
  return {
    agent: {
      ready: readyPromise,
      isReady: () => ready,
      readinessAddress: readiness?.address,
      applied: () => reconciler.snapshot(),
      lastReport: () => lastWritten,
      reportRequests: () => writer.requests,
      async settled() {
        while (running) await running;
      },
      stop: stopAll,
    },
  };
}
