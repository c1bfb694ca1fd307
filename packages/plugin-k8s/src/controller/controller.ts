// The controller's I/O loop: informers feed a work queue; each key's reconcile reads the caches, calls the pure
// functions (compile, desired ArmorProfile, statuses) and writes only what differs. Nothing here polls: every pass
// comes from a watch event, a debounced node report, a retry or the resync.
import { isDeepStrictEqual } from 'node:util';
import type { Engine } from '@armorkit/core';
import { type PolicyStatus, policyStatusSchema } from '@armorkit/core/schema';
import { ApiException, CoreV1Api, CustomObjectsApi, type KubeConfig, type KubernetesObject, type V1Secret, VersionApi } from '@kubernetes/client-node';
import { reuseConnections } from '../cluster/keep-alive.js';
import { ParsedPolicies } from '../cluster/parsed-policies.js';
import { cachedKubernetesVersion } from '../mutate/kubernetes-version.js';
import { checkMatchLabels, DEFAULT_MATCH_LABELS, type MatchLabels } from '../mutate/match-labels.js';
import type { Backoff } from '../cluster/watched-resource.js';
import { VARMOR_GROUP, VARMOR_VERSION } from '../crd/kinds.js';
import { NODE_STATUS_GROUP, NODE_STATUS_PLURAL, NODE_STATUS_VERSION, storedProfileDigest } from '../node-status/schema.js';
import { compilePolicy, type CompiledPolicy, describeProblems } from './compile-policy.js';
import { desiredArmorProfile, managedDiffers, type PolicyOwner, profileNamespaceOf } from './desired-profile.js';
import { controllerErrors } from './errors.js';
import { eventRecorder, type EventRecorder, type InvolvedObject } from './events.js';
import type { ControllerHooks } from './hooks.js';
import { type Informer, type ObjectEvent, startInformer } from '../cluster/informer.js';
import {
  CONTROLLER_NAME,
  describePolicy,
  isPolicyKind,
  KUBEARMOR_POLICY_KINDS,
  parsePolicyKey,
  policyApiVersion,
  policyCollection,
  type PolicyKey,
  policyKeyOf,
  policyKeyString,
  type PolicyKind,
  POLICY_RESOURCES,
  PROFILE_FINALIZER,
  PROFILE_PLURAL,
  VARMOR_API_VERSION,
  VARMOR_POLICY_KINDS,
} from './names.js';
import { hostPolicyNotEnforced, kubeArmorStatus, storedKubeArmorStatus } from './kubearmor-status.js';
import { SET_KEY_PREFIX, setKeyOf } from './kubearmor-sets.js';
import { setReconciler } from './set-reconciler.js';
import { PodSetIndex } from './pod-set-index.js';
import { KUBEARMOR_SET_LABEL } from '../cluster/kubearmor-sets.js';
import type { NamespacePostures } from './namespace-postures.js';
import { NodeReports, profileKeyOf, type ReportChange } from './node-reports.js';
import { MODEL_PART_GROUP, MODEL_PART_PLURAL, MODEL_PART_VERSION } from '../model/part-schema.js';
import { MODELING_STARTED_ANNOTATION, modelingSessionOf } from '../model/session.js';
import { MODEL_PLURAL, ModelStore, type ModelState } from './model-store.js';
import { completedModelingPolicy } from './model-profile.js';
import { ProfileHistory } from './profile-history.js';
import { aggregateLoads, armorProfileStatus, nodesHolding } from './profile-status.js';
import { type PolicyOutcome, policyStatus } from './policy-status.js';
import { desiredProxySecret, ownedBy, PROXY_PROFILE_LABEL, secretDiffers } from './proxy-secret.js';
import { WorkQueue } from './work-queue.js';
import type { EgressAddresses } from './egress/addresses.js';
import { watchEgress } from './egress/watch-egress.js';
import { describeRestart, WorkloadRestarts } from './restart/workload-restarts.js';

export interface ControllerOptions {
  engine: Engine;
  kubeConfig: KubeConfig;
  /** armorkit's namespace: cluster policies' ArmorProfiles live here. */
  namespace: string;
  /** Every key is reconciled again this often (ms), from the caches: O(policies) passes, writes only where they differ. Default 10 min. */
  resync?: number;
  /**
   * Node reports are gathered until none concerned a policy for this long (ms), and at most `debounceMax` after the
   * first, before the policies they concern are reconciled; a profile every live node has reported is reconciled at
   * once. Default 200.
   */
  debounce?: number;
  /** Default 5 × debounce. */
  debounceMax?: number;
  /** A node whose ArmorNodeStatus heartbeat is older than this (ms) no longer counts. Default 5 min. */
  nodeTimeout?: number;
  /** Verify compiled profiles with the real tools (apparmor_parser -Q), as the validating webhook does. Default true. */
  verify?: boolean;
  /** Keys reconciled at once. Default 4. */
  workers?: number;
  /** Who this replica is, for Events' reportingInstance. */
  identity?: string;
  hooks?: ControllerHooks;
  /**
   * toServices / toPods: the EgressAddresses whose `resolver` the engine's BPF plugin was made with
   * (`bpf({ resolver: addresses.resolver })`); the controller watches Services, EndpointSlices and Pods for it and
   * re-renders the ArmorProfiles whose addresses change. Without it such rules do not compile (bpf-resolver-missing).
   */
  egress?: { addresses: EgressAddresses; services?: boolean; pods?: boolean };
  /** vArmor's `--restartExistWorkloads`: policies with spec.updateExistingWorkloads restart their targets. Default true. */
  restartExistingWorkloads?: boolean;
  /**
   * Watch KubeArmor's KubeArmorPolicy, KubeArmorClusterPolicy and KubeArmorHostPolicy too (the engine needs the
   * kubearmor dialect). A kind whose CRD is not installed is watched for until it is. Default false.
   */
  kubearmor?: boolean;
  /**
   * The NamespacePostures whose `lookup` the engine's kubearmor plugin was made with
   * (`kubearmor({ namespaceAnnotations: postures.lookup })`): the controller fills it from the Namespaces it watches
   * and compiles a namespace's KubeArmorPolicies again when its posture annotations change. Without it they compile
   * with the plugin's own options.
   */
  namespacePostures?: NamespacePostures;
  /** The mutating webhook's match labels (its `--match-label`s; `{}` for none). Default `{ 'sandbox.varmor.org/enable': 'true' }`. */
  matchLabels?: MatchLabels;
  clock?: () => Date;
  log?: (line: string) => void;
  backoff?: Backoff;
  /** The wait before a failed key is tried again (ms), doubling up to 30 s. Default 200. */
  retryInitial?: number;
  /**
   * BehaviorModeling: after the duration, how long live nodes that have not sent their final part are waited for
   * before the model completes without them (ms). Default 2 min.
   */
  modelingGrace?: number;
  /** The largest ArmorProfileModel written whole (bytes of JSON); a larger one keeps its data in ArmorModelParts. Default MODEL_OBJECT_BYTES. */
  modelObjectBytes?: number;
  /** The largest ArmorModelPart chunk the controller writes (bytes of JSON). Default MODEL_CHUNK_BYTES. */
  modelChunkBytes?: number;
}

export interface ControllerStats {
  reconciles: number;
  retries: number;
  /** Requests the controller made, by verb (`create`, `replace`, `status`, `delete`, `event`). */
  writes: Record<string, number>;
}

export interface Controller {
  /** Resolves once every informer has listed. */
  readonly ready: Promise<void>;
  /** Resolves once the work queue is empty (for tests: everything seen so far has been acted on). */
  idle(): Promise<void>;
  readonly stats: ControllerStats;
  stop(): Promise<void>;
}

const PROFILE_KEY_PREFIX = 'ArmorProfile/';
/** The compile cache's key of a BehaviorModeling policy's AlwaysAllow profiles, once its run completed. */
const COMPLETED_SUFFIX = '#completed';
const NAMESPACE_TERMINATING = 'Terminating';
type Meta = NonNullable<KubernetesObject['metadata']>;
type StoredObject = KubernetesObject & { spec?: unknown; status?: unknown };

/** 409: our cache was behind; the informer's event for the newer object queues the key again anyway. */
const isConflict = (error: unknown) => error instanceof ApiException && error.code === 409;
const problemOf = (error: unknown) => (error instanceof ApiException ? `HTTP ${error.code}: ${messageOf(error.body)}` : error instanceof Error ? error.message : String(error));
function messageOf(body: unknown): string {
  if (typeof body === 'string') {
    try {
      const parsed = JSON.parse(body) as { message?: unknown };
      if (typeof parsed.message === 'string') return parsed.message;
    } catch {
      // not JSON: the text as it is
    }
    return body.slice(0, 200);
  }
  return String(body);
}
const timestamp = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The policy that controls an ArmorProfile or Secret, from its controller owner reference. */
function controllerPolicyOf(object: KubernetesObject): PolicyKey | undefined {
  for (const reference of object.metadata?.ownerReferences ?? []) {
    const { kind } = reference;
    if (reference.controller !== true || !isPolicyKind(kind) || reference.apiVersion !== policyApiVersion(kind)) continue;
    return { kind, namespace: POLICY_RESOURCES[kind].namespaced ? (object.metadata?.namespace ?? '') : '', name: reference.name };
  }
  return undefined;
}

/** The order keys are handed out in: cluster policies before a namespace's (vArmor's), vArmor's before KubeArmor's, profile finalizers last. */
const KIND_PRIORITY: readonly PolicyKind[] = ['VarmorClusterPolicy', 'VarmorPolicy', 'KubeArmorClusterPolicy', 'KubeArmorHostPolicy', 'KubeArmorPolicy'];
const keyPriority = (key: string) => {
  const kind = parsePolicyKey(key)?.kind;
  return kind === undefined ? KIND_PRIORITY.length : KIND_PRIORITY.indexOf(kind);
};

/**
 * `armorkit k8s manager`'s controller: VarmorClusterPolicies and VarmorPolicies (with `kubearmor`, KubeArmor's three
 * kinds too) → ArmorProfiles (and NetworkProxy Secrets), statuses from the nodes' ArmorNodeStatus reports, the
 * `varmor.org/ap-protection` finalizer released once no node has the profile. Start it only while leading
 * (leader/lease.ts).
 */
export function startController(options: ControllerOptions): Controller {
  const log = options.log ?? (() => {});
  const clock = options.clock ?? (() => new Date());
  // A wave of writes (a status per policy) over kept-alive connections, not one connection per request.
  reuseConnections(options.kubeConfig);
  const objects = options.kubeConfig.makeApiClient(CustomObjectsApi);
  const core = options.kubeConfig.makeApiClient(CoreV1Api);
  // The sets of ArmorProfiles the cache went through, which the nodes' reports name (profile-history.ts).
  const history = new ProfileHistory();
  const reports = new NodeReports(history, options.nodeTimeout ?? 5 * 60_000, log);
  const debounce = options.debounce ?? 200;
  const stats: ControllerStats = { reconciles: 0, retries: 0, writes: {} };
  const wrote = (verb: string) => (stats.writes[verb] = (stats.writes[verb] ?? 0) + 1);
  const recorder: EventRecorder = eventRecorder(core, options.identity ?? CONTROLLER_NAME, clock, log);
  const record: EventRecorder['record'] = (object, type, reason, message) => {
    wrote('event');
    recorder.record(object, type, reason, message);
  };
  const compiled = new Map<string, { uid: string; generation: number; postures: number; result: CompiledPolicy }>();
  const matchLabels = checkMatchLabels(options.matchLabels ?? DEFAULT_MATCH_LABELS);
  if (!matchLabels.ok) throw new TypeError(matchLabels.errors[0]!.message);
  const parsed = { VarmorClusterPolicy: new ParsedPolicies(options.engine, log), VarmorPolicy: new ParsedPolicies(options.engine, log) };
  const restarts =
    options.restartExistingWorkloads === false
      ? undefined
      : new WorkloadRestarts({
          engine: options.engine,
          kubeConfig: options.kubeConfig,
          matchLabels: matchLabels.value,
          kubeVersion: cachedKubernetesVersion(() => options.kubeConfig.makeApiClient(VersionApi).getCode()),
          // Cluster policies first, as the webhook takes them.
          policies: () => [...parsed.VarmorClusterPolicy.update(policiesOf('VarmorClusterPolicy')), ...parsed.VarmorPolicy.update(policiesOf('VarmorPolicy'))],
          clock,
        });
  const unloading = new Set<string>();
  // KubeArmor's CRDs hold `status.status` only: the vArmor-shaped status the Events follow is kept here.
  const kubeArmorStatuses = new Map<string, { uid: string; status: PolicyStatus }>();
  let stopped = false;

  const queue = new WorkQueue({
    workers: options.workers ?? 4,
    priority: keyPriority,
    handle: async (key) => {
      stats.reconciles += 1;
      const result = key.startsWith(PROFILE_KEY_PREFIX)
        ? await reconcileProfile(key.slice(PROFILE_KEY_PREFIX.length))
        : sets && key.startsWith(SET_KEY_PREFIX)
          ? await sets.reconcile(key)
          : await reconcilePolicy(key);
      if (result === 'retry') stats.retries += 1;
      return result;
    },
    retryInitial: options.retryInitial ?? 200,
    settle: { quiet: debounce, max: options.debounceMax ?? 5 * debounce },
    log,
  });

  const informerOptions = { kubeConfig: options.kubeConfig, log, ...(options.backoff ? { backoff: options.backoff } : {}) };
  const watchedKinds: readonly PolicyKind[] = options.kubearmor ? [...VARMOR_POLICY_KINDS, ...KUBEARMOR_POLICY_KINDS] : VARMOR_POLICY_KINDS;
  const policyInformers = new Map<PolicyKind, Informer>(
    watchedKinds.map((kind) => {
      const { group, version, plural, dialect } = POLICY_RESOURCES[kind];
      const informer = startInformer({
        ...informerOptions,
        path: policyCollection(kind),
        // The cluster-scoped list call on a namespaced kind's path lists it in all namespaces.
        list: () => objects.listClusterCustomObject({ group, version, plural }),
        onEvent: (_event, object) => {
          const key = policyKeyOf(kind, object);
          queue.add(policyKeyString(key));
          // The merged profiles it is a member of (KubeArmor's kinds only have any).
          for (const setKey of sets?.keysOfPolicy(key) ?? []) queue.add(setKey);
        },
        // KubeArmor's CRDs are KubeArmor's to install: without them there is nothing to watch (yet).
        optional: dialect === 'kubearmor',
      });
      return [kind, informer] as const;
    }),
  );
  const policiesOf = (kind: PolicyKind) => policyInformers.get(kind)?.list() ?? [];
  const profiles = startInformer({
    ...informerOptions,
    path: `/apis/${VARMOR_GROUP}/${VARMOR_VERSION}/${PROFILE_PLURAL}`,
    list: () => objects.listClusterCustomObject({ group: VARMOR_GROUP, version: VARMOR_VERSION, plural: PROFILE_PLURAL }),
    onEvent: (event, object) => profileEvent(event, object),
  });
  const nodeStatuses = startInformer({
    ...informerOptions,
    path: `/apis/${NODE_STATUS_GROUP}/${NODE_STATUS_VERSION}/${NODE_STATUS_PLURAL}`,
    list: () => objects.listClusterCustomObject({ group: NODE_STATUS_GROUP, version: NODE_STATUS_VERSION, plural: NODE_STATUS_PLURAL }),
    onEvent: (event, object) => nodeEvent(event, object),
  });
  const secrets = startInformer({
    ...informerOptions,
    path: '/api/v1/secrets',
    labelSelector: PROXY_PROFILE_LABEL,
    list: () => core.listSecretForAllNamespaces({ labelSelector: PROXY_PROFILE_LABEL }),
    onEvent: (_event, object) => {
      const owner = controllerPolicyOf(object);
      if (owner) queue.add(policyKeyString(owner));
    },
  });
  const namespaces = startInformer({
    ...informerOptions,
    path: '/api/v1/namespaces',
    list: () => core.listNamespace(),
    onEvent: (event, object) => {
      // A new namespace needs the cluster policies' NetworkProxy Secrets.
      if (event !== 'update') for (const policy of policiesOf('VarmorClusterPolicy')) queue.add(policyKeyString(policyKeyOf('VarmorClusterPolicy', policy)));
      const name = object.metadata?.name ?? '';
      if (options.namespacePostures?.update(name, event === 'delete' ? undefined : object.metadata?.annotations)) postureChanged(name);
    },
  });
  const modelInformer = startInformer({
    ...informerOptions,
    path: `/apis/${VARMOR_GROUP}/${VARMOR_VERSION}/${MODEL_PLURAL}`,
    list: () => objects.listClusterCustomObject({ group: VARMOR_GROUP, version: VARMOR_VERSION, plural: MODEL_PLURAL }),
    onEvent: (_event, object) => modelEvent(object),
  });
  const partInformer = startInformer({
    ...informerOptions,
    path: `/apis/${MODEL_PART_GROUP}/${MODEL_PART_VERSION}/${MODEL_PART_PLURAL}`,
    list: () => objects.listClusterCustomObject({ group: MODEL_PART_GROUP, version: MODEL_PART_VERSION, plural: MODEL_PART_PLURAL }),
    onEvent: (_event, object) => partEvent(object),
  });
  const modelStore = new ModelStore({
    engine: options.engine,
    kubeConfig: options.kubeConfig,
    objects,
    models: modelInformer,
    parts: partInformer,
    verify: options.verify !== false,
    grace: options.modelingGrace ?? 2 * 60_000,
    ...(options.modelObjectBytes !== undefined ? { maxObjectBytes: options.modelObjectBytes } : {}),
    ...(options.modelChunkBytes !== undefined ? { chunkBytes: options.modelChunkBytes } : {}),
    wrote,
    log,
  });
  // The pods the webhook marked with merged KubeArmor profiles (only those: a label selector, not every pod).
  const podSets = new PodSetIndex(options.namespace);
  const markedPods = options.kubearmor
    ? startInformer({
        ...informerOptions,
        path: '/api/v1/pods',
        labelSelector: KUBEARMOR_SET_LABEL,
        list: () => core.listPodForAllNamespaces({ labelSelector: KUBEARMOR_SET_LABEL }),
        // The sets it named before and names now: one it left may have lost its last pod.
        onEvent: (event, object) => {
          for (const key of podSets.update(object, event === 'delete')) queue.add(key);
        },
      })
    : undefined;
  const sets = markedPods
    ? setReconciler({
        engine: options.engine,
        objects,
        namespace: options.namespace,
        verify: options.verify !== false,
        podSets,
        profiles,
        ...(options.namespacePostures ? { postureRevision: (namespace: string) => options.namespacePostures?.revision(namespace) ?? 0 } : {}),
        policyOf: (key) => policyInformers.get(key.kind)?.get(key.name, POLICY_RESOURCES[key.kind].namespaced ? key.namespace : undefined) as StoredObject | undefined,
        syncStatus: (current, namespace, name) => syncProfileStatus(current, namespace, name),
        wrote,
        record,
        isConflict,
        problemOf,
        log,
      })
    : undefined;
  const informers: Informer[] = [...policyInformers.values(), profiles, nodeStatuses, secrets, namespaces, modelInformer, partInformer, ...(markedPods ? [markedPods] : [])];
  const egress = options.egress
    ? watchEgress({
        kubeConfig: options.kubeConfig,
        addresses: options.egress.addresses,
        ...(options.egress.services !== undefined ? { services: options.egress.services } : {}),
        ...(options.egress.pods !== undefined ? { pods: options.egress.pods } : {}),
        // Addresses changed: those policies compile again (their generation did not move) and their profiles are rewritten.
        onChange: (keys) => {
          for (const key of keys) {
            compiled.delete(key);
            queue.add(key);
          }
        },
        log,
        ...(options.backoff ? { backoff: options.backoff } : {}),
      })
    : undefined;

  // --- Events from the informers ---

  function profileEvent(event: ObjectEvent, object: KubernetesObject): void {
    // A profile being deleted leaves the set at once: the agents unload it then.
    const gone = event === 'delete' || Boolean(object.metadata?.deletionTimestamp);
    if (history.update(profileKeyOf(object.metadata?.namespace ?? '', object.metadata?.name ?? ''), gone ? undefined : storedProfileDigest(object)) !== undefined) {
      affected(reports.historyMoved());
      settleReported();
    }
    const owner = controllerPolicyOf(object);
    if (owner) queue.add(policyKeyString(owner));
    const setKey = sets?.keyOfProfile(object);
    if (setKey) queue.add(setKey);
    if (object.metadata?.deletionTimestamp) queue.add(`${PROFILE_KEY_PREFIX}${profileKeyOf(object.metadata.namespace ?? '', object.metadata.name ?? '')}`);
  }

  /** A namespace's posture annotations changed: its KubeArmorPolicies compile again (compiledFor sees the revision move). */
  function postureChanged(namespace: string): void {
    for (const policy of policiesOf('KubeArmorPolicy')) {
      if (policy.metadata?.namespace === namespace) queue.add(policyKeyString(policyKeyOf('KubeArmorPolicy', policy)));
    }
    // The merged profiles of its pods too (their fingerprint holds the revision).
    for (const key of sets?.allKeys() ?? []) if (key.startsWith(setKeyOf(namespace, ''))) queue.add(key);
  }

  /** A completed model changes what DefenseInDepth policies built on it compile to: its policy compiles again. */
  function modelEvent(object: KubernetesObject): void {
    const owner = controllerPolicyOf(object);
    if (!owner) return;
    const key = policyKeyString(owner);
    const status = (object as StoredObject).status;
    if (typeof status === 'object' && status !== null && 'ready' in status && status.ready === true) compiled.delete(key);
    queue.add(key);
  }

  /** A node wrote its part: the policy of the profile, once the wave of writes settles. */
  function partEvent(object: KubernetesObject): void {
    const spec = (object as StoredObject).spec;
    if (typeof spec !== 'object' || spec === null || !('profileName' in spec) || typeof spec.profileName !== 'string') return;
    const profile = profiles.get(spec.profileName, object.metadata?.namespace ?? '');
    const owner = profile ? controllerPolicyOf(profile) : undefined;
    if (!owner) return;
    // The controller's own chunks of a stored model: what a DefenseInDepth policy compiles from.
    if (!('nodeName' in spec)) compiled.delete(policyKeyString(owner));
    queue.addSettled([policyKeyString(owner)]);
  }

  /** BehaviorModeling runs whose end (or grace) comes without an event: their policy is reconciled then. */
  const modelTimers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  function recheckAt(key: string, at: number | undefined): void {
    const current = modelTimers.get(key);
    if (current && current.at === at) return;
    clearTimeout(current?.timer);
    modelTimers.delete(key);
    if (at === undefined || stopped) return;
    const timer = setTimeout(() => {
      modelTimers.delete(key);
      queue.add(key);
    }, Math.max(0, at - clock().getTime()) + 10);
    timer.unref();
    modelTimers.set(key, { at, timer });
  }

  let expiryTimer: NodeJS.Timeout | undefined;
  function nodeEvent(event: ObjectEvent, object: KubernetesObject): void {
    const now = clock().getTime();
    const change = event === 'delete' ? reports.remove(object.metadata?.name ?? '', now) : reports.update(object, now);
    affected(change);
    settleReported();
    // A heartbeat only moves a node's expiry later: the timer set for the earliest one stays good enough (when it
    // fires it checks what really expired); a node that joins or leaves sets it again.
    if (expiryTimer === undefined || change.all) scheduleExpiry();
  }

  /** Reports changed: the policies (and deleting profiles) they concern, once the wave of reports settles. */
  function affected(change: ReportChange): void {
    if (change.all) {
      // Every profile's desired number moved (or a node's state is not known step by step): every policy is
      // reconciled once (O(policies), not per node).
      enqueueAll(true);
      return;
    }
    queue.addSettled(queueKeysOf(change.profiles));
  }

  /** The queue keys of a set of profiles; NodeReports hands the same set to every node that moved over the same steps. */
  const queueKeys = new WeakMap<ReadonlySet<string>, string[]>();
  function queueKeysOf(profileKeys: ReadonlySet<string>): string[] {
    const known = queueKeys.get(profileKeys);
    if (known) return known;
    const keys: string[] = [];
    for (const key of profileKeys) {
      const [namespace, name] = key.split('/') as [string, string];
      const profile = profiles.get(name, namespace);
      if (!profile) continue;
      const owner = controllerPolicyOf(profile);
      if (owner) keys.push(policyKeyString(owner));
      const setKey = sets?.keyOfProfile(profile);
      if (setKey) keys.push(setKey);
      if (profile.metadata?.deletionTimestamp) keys.push(`${PROFILE_KEY_PREFIX}${key}`);
    }
    // Frozen: the queue does not walk it again when node after node hands it over in the same wave.
    Object.freeze(keys);
    queueKeys.set(profileKeys, keys);
    return keys;
  }

  /**
   * The lowest step every live node has reached: the profiles that changed up to it have been reported by every
   * node (loaded or failed), so their keys are reconciled now rather than once the wave of reports is quiet.
   */
  let reported = 0;
  function settleReported(): void {
    const step = reports.reachedByAll(clock().getTime());
    if (step === undefined) return;
    // A node that joined at no step (-1) has reported nothing yet: once it has, everything up to its step is settled.
    const from = Math.max(reported, 0);
    reported = step;
    if (step <= from) return;
    const profileKeys = history.changedBetween(from, step);
    // Further back than the history remembers: the keys wait for the wave to settle.
    if (profileKeys) queue.settleNow(queueKeysOf(profileKeys));
  }

  /** When the next heartbeat ages out, the desired numbers change: reconcile then, not only at the resync. */
  function scheduleExpiry(): void {
    clearTimeout(expiryTimer);
    expiryTimer = undefined;
    const next = reports.nextExpiry(clock().getTime());
    if (next === undefined || stopped) return;
    expiryTimer = setTimeout(() => {
      if (reports.expired(clock().getTime())) enqueueAll(true);
      scheduleExpiry();
    }, Math.max(0, next - clock().getTime()) + 10);
  }

  function enqueueAll(debounced: boolean): void {
    const add = (key: string) => (debounced ? queue.addSettled([key]) : queue.add(key));
    for (const kind of watchedKinds) for (const policy of policiesOf(kind)) add(policyKeyString(policyKeyOf(kind, policy)));
    for (const key of sets?.allKeys() ?? []) add(key);
    for (const profile of profiles.list()) {
      if (profile.metadata?.deletionTimestamp) add(`${PROFILE_KEY_PREFIX}${profileKeyOf(profile.metadata.namespace ?? '', profile.metadata.name ?? '')}`);
    }
  }

  const resync = setInterval(() => enqueueAll(false), options.resync ?? 10 * 60_000);
  resync.unref();

  // --- Reconcile: one policy ---

  async function compiledFor(key: string, policy: KubernetesObject): Promise<CompiledPolicy> {
    const uid = policy.metadata?.uid ?? '';
    const generation = policy.metadata?.generation ?? 0;
    // A KubeArmorPolicy compiles with its namespace's postures: read before the compile, so one that changes meanwhile makes it stale.
    const postures = policy.kind === 'KubeArmorPolicy' ? (options.namespacePostures?.revision(policy.metadata?.namespace ?? '') ?? 0) : 0;
    const cached = compiled.get(key);
    // The status writes bump the resourceVersion, not the generation: compile once per spec.
    if (cached && cached.uid === uid && cached.generation === generation && cached.postures === postures && generation > 0) return cached.result;
    const compile = () => compilePolicy(options.engine, policy, { verify: options.verify !== false, models: modelStore.readyModels() });
    // BPF compiles synchronously inside compilePolicy (before its first await), so `track` sees exactly this policy's queries.
    const result = await (options.egress ? options.egress.addresses.track(key, compile) : compile());
    compiled.set(key, { uid, generation, postures, result });
    return result;
  }

  async function reconcilePolicy(keyText: string): Promise<'done' | 'retry'> {
    const key = parsePolicyKey(keyText);
    if (!key || stopped) return 'done';
    const policy = policyInformers.get(key.kind)?.get(key.name, POLICY_RESOURCES[key.kind].namespaced ? key.namespace : undefined) as StoredObject | undefined;
    if (!policy || policy.metadata?.deletionTimestamp) {
      // Gone (or going): the garbage collector deletes its ArmorProfile, whose finalizer waits for the nodes.
      const last = compiled.get(keyText)?.result;
      compiled.delete(keyText);
      kubeArmorStatuses.delete(keyText);
      compiled.delete(`${keyText}${COMPLETED_SUFFIX}`);
      recheckAt(keyText, undefined);
      options.egress?.addresses.forget(keyText);
      restarts?.deleted(keyText, last?.ok ? last.plan.policy : undefined);
      return (await runRestart(keyText, key, undefined)) ? 'done' : 'retry';
    }
    const meta = policy.metadata!;
    const owner: PolicyOwner = {
      kind: key.kind,
      name: key.name,
      ...(POLICY_RESOURCES[key.kind].namespaced ? { namespace: key.namespace } : {}),
      uid: meta.uid ?? '',
      ...(meta.labels ? { labels: meta.labels } : {}),
    };
    const involved: InvolvedObject = { apiVersion: policyApiVersion(key.kind), kind: key.kind, name: key.name, ...(owner.namespace ? { namespace: owner.namespace } : {}), ...(meta.uid ? { uid: meta.uid } : {}) };
    const kubeArmor = POLICY_RESOURCES[key.kind].dialect === 'kubearmor';
    const remembered = kubeArmorStatuses.get(keyText);
    const previous = kubeArmor ? (remembered?.uid === owner.uid ? remembered.status : undefined) : readStatus(policy.status);
    // The ArmorProfile's status write runs beside the policy's own (two objects, one round trip); the key is done
    // only once both are, so it is still never handled twice at once.
    const profileWrites: Promise<boolean>[] = [];
    const profileWritten = async () => (await Promise.all(profileWrites)).every(Boolean);
    const outcome = await outcomeFor(keyText, key, policy, owner, profileWrites);
    if (outcome === 'retry') {
      await profileWritten();
      return 'retry';
    }
    const restarted = await runRestart(keyText, key, involved);
    const next = policyStatus(previous, outcome, timestamp(clock()));
    if (!isDeepStrictEqual(previous, next)) {
      try {
        await writePolicyStatus(key, policy, next);
      } catch (error) {
        if (!isConflict(error)) log(`${describePolicy(key)}: status not written: ${problemOf(error)}`);
        await profileWritten();
        return 'retry';
      }
      if (kubeArmor) kubeArmorStatuses.set(keyText, { uid: owner.uid, status: next });
      recordTransition(involved, previous, next, outcome);
    }
    return (await profileWritten()) && restarted ? 'done' : 'retry';
  }

  /** The policy's owed rolling restart, if any; false when it failed (it stays owed and the key is tried again). */
  async function runRestart(keyText: string, key: PolicyKey, involved: InvolvedObject | undefined): Promise<boolean> {
    if (!restarts?.isOwed(keyText)) return true;
    const outcome = await restarts.run(keyText);
    if (!outcome) return true;
    const message = outcome.ok ? describeRestart(outcome.report) : outcome.message;
    const failed = !outcome.ok || outcome.report.failed.length > 0;
    if (involved) record(involved, failed ? 'Warning' : 'Normal', failed ? 'RestartFailed' : 'Restarted', message);
    log(`${describePolicy(key)}: updateExistingWorkloads: ${message}`);
    if (outcome.ok) stats.writes.restart = (stats.writes.restart ?? 0) + outcome.report.restarted.length;
    return !failed;
  }

  /** `profileWrites` gets the ArmorProfile's status write, not awaited here (true once written or not needed). */
  async function outcomeFor(keyText: string, key: PolicyKey, policy: StoredObject, owner: PolicyOwner, profileWrites: Promise<boolean>[]): Promise<PolicyOutcome | 'retry'> {
    const result = await compiledFor(keyText, policy);
    if (!result.ok) return { kind: 'refused', reason: result.reason, message: describeProblems(result.errors) };
    if (key.kind === 'KubeArmorHostPolicy') return hostPolicyNotEnforced(result.plan.profileName);
    const desired = desiredArmorProfile(owner, result.plan, result.artifacts, options.namespace);
    if (!desired.ok) return { kind: 'refused', reason: 'Error', message: describeProblems(desired.errors), profileName: result.plan.profileName };
    let { armorProfile } = desired.value;
    const profileName = armorProfile.metadata.name;
    const namespace = profileNamespaceOf(owner, options.namespace);
    const profileRef = profileKeyOf(namespace, profileName);
    const stored = profiles.get(profileName, namespace) as StoredObject | undefined;
    if (armorProfile.spec.behaviorModeling?.enable === true && stored && modelStore.completed(namespace, profileName, stored)) {
      // The run is over: the AlwaysAllow profiles (vArmor's switch), the run's mark kept so the phase stays Completed.
      const after = await compiledFor(`${keyText}${COMPLETED_SUFFIX}`, completedModelingPolicy(policy));
      const switched = after.ok ? desiredArmorProfile(owner, after.plan, after.artifacts, options.namespace) : undefined;
      if (switched?.ok) armorProfile = { ...switched.value.armorProfile, spec: { ...switched.value.armorProfile.spec, behaviorModeling: armorProfile.spec.behaviorModeling } };
      else log(`${describePolicy(key)}: the AlwaysAllow profiles of the completed run were not built: ${after.ok ? describeProblems(switched && !switched.ok ? switched.errors : []) : describeProblems(after.errors)}`);
    }

    // The ArmorProfile
    let change: 'created' | 'updated' | 'unchanged' = 'unchanged';
    let updateNote: string | undefined;
    let current: StoredObject;
    const ours = stored?.metadata?.ownerReferences?.some((reference) => reference.controller === true && reference.uid === owner.uid) === true;
    if (stored && !ours) {
      // A policy deleted and created again under its name: the old profile's finalizer waits for the nodes first.
      if (stored.metadata?.deletionTimestamp) return { kind: 'waiting', profileName, message: `the previous ArmorProfile ${profileRef} is being unloaded from the nodes` };
      const taken = controllerErrors.error('profile-name-taken', '/metadata/name', `ArmorProfile ${profileRef} belongs to another policy`);
      return { kind: 'refused', reason: 'Error', message: describeProblems([taken]), profileName };
    }
    if (stored?.metadata?.deletionTimestamp) return { kind: 'waiting', profileName, message: `ArmorProfile ${profileRef} is being deleted` };
    // A modelling run starts when the profile is made, or switched, into BehaviorModeling: the agents and the model count from the stamp.
    const modeling = armorProfile.spec.behaviorModeling?.enable === true;
    const stamp = modeling && (!stored || !modelingSessionOf(stored) || stored.metadata?.annotations?.[MODELING_STARTED_ANNOTATION] === undefined) ? timestamp(clock()) : undefined;
    if (stamp && !stored) armorProfile.metadata.annotations = { ...armorProfile.metadata.annotations, [MODELING_STARTED_ANNOTATION]: stamp };
    try {
      if (!stored) {
        current = (await objects.createNamespacedCustomObject({ group: VARMOR_GROUP, version: VARMOR_VERSION, namespace, plural: PROFILE_PLURAL, body: armorProfile })) as StoredObject;
        wrote('create');
        change = 'created';
      } else if (managedDiffers(stored, armorProfile) || stamp) {
        const annotations = stamp ? { ...stored.metadata?.annotations, [MODELING_STARTED_ANNOTATION]: stamp } : stored.metadata?.annotations;
        const body = {
          ...armorProfile,
          metadata: { ...stored.metadata, ...armorProfile.metadata, annotations, resourceVersion: stored.metadata?.resourceVersion },
          ...(stored.status !== undefined ? { status: stored.status } : {}),
        };
        current = (await objects.replaceNamespacedCustomObject({ group: VARMOR_GROUP, version: VARMOR_VERSION, namespace, plural: PROFILE_PLURAL, name: profileName, body })) as StoredObject;
        wrote('replace');
        change = managedDiffers(stored, armorProfile) ? 'updated' : 'unchanged';
        const before = (stored.spec as { profile?: { seccomp?: string } } | undefined)?.profile?.seccomp;
        if (before !== armorProfile.spec.profile.seccomp) updateNote = seccompNote(result.plan.policy.spec.updateExistingWorkloads === true && restarts !== undefined);
      } else current = stored;
    } catch (error) {
      if (!isConflict(error)) log(`${describePolicy(key)}: ArmorProfile ${profileRef} not written: ${problemOf(error)}`);
      return 'retry';
    }
    // Only a profile that changed owes a restart: an idle resync, or a new leader finding the profile as it should be, restarts nothing.
    if (change !== 'unchanged') restarts?.changed(keyText, result.plan.policy);

    // The NetworkProxy Secret(s)
    const proxyResult = await reconcileProxySecrets(key, owner, result.plan.profileName, desired.value.proxy, result);
    if (proxyResult !== 'done') return proxyResult;

    // The ArmorProfile's status, from the nodes
    const loads = loadsOf(current, namespace, profileName);
    profileWrites.push(syncProfileStatus(current, namespace, profileName, loads).then((result) => result === 'done'));
    // The model of a BehaviorModeling run, from the nodes' parts
    let model: ModelState | undefined;
    const session = modeling ? modelingSessionOf(current) : undefined;
    if (session) {
      const state = await modelStore.reconcile({ policy, owner, namespace, profileName, session, liveNodes: reports.liveNodes(clock().getTime()), now: clock().getTime() });
      if (state === 'retry') return 'retry';
      model = state;
      recheckAt(keyText, state.recheckAt);
    } else recheckAt(keyText, undefined);
    return {
      kind: 'applied',
      profileName,
      change,
      ...(updateNote ? { updateNote } : {}),
      profile: profileRef,
      loads,
      modeling: result.plan.policy.spec.policy.mode === 'BehaviorModeling',
      ...(model ? { model } : {}),
    };
  }

  function loadsOf(current: StoredObject, namespace: string, profileName: string) {
    return aggregateLoads(profileKeyOf(namespace, profileName), storedProfileDigest(current), reports, reports.liveNodes(clock().getTime()));
  }

  /** An ArmorProfile's status from the nodes' reports, written when it differs. */
  async function syncProfileStatus(current: StoredObject, namespace: string, profileName: string, loads = loadsOf(current, namespace, profileName)): Promise<'done' | 'retry'> {
    const profileStatus = armorProfileStatus(loads);
    if (isDeepStrictEqual(current.status ?? {}, profileStatus)) return 'done';
    try {
      await objects.replaceNamespacedCustomObjectStatus({ group: VARMOR_GROUP, version: VARMOR_VERSION, namespace, plural: PROFILE_PLURAL, name: profileName, body: { ...current, status: profileStatus } });
      wrote('status');
    } catch (error) {
      if (!isConflict(error)) log(`ArmorProfile ${profileKeyOf(namespace, profileName)}: status not written: ${problemOf(error)}`);
      return 'retry';
    }
    return 'done';
  }

  async function reconcileProxySecrets(
    key: PolicyKey,
    owner: PolicyOwner,
    profileName: string,
    proxy: { key: string; content: string } | undefined,
    result: Extract<CompiledPolicy, { ok: true }>,
  ): Promise<'done' | 'retry' | PolicyOutcome> {
    const wanted = new Set<string>();
    if (proxy) {
      if (POLICY_RESOURCES[key.kind].namespaced) wanted.add(key.namespace);
      else {
        // vArmor keeps one copy of a cluster policy's proxy Secret in every namespace (pods mount Secrets of their own namespace only).
        for (const namespace of namespaces.list()) {
          if ((namespace as { status?: { phase?: string } }).status?.phase !== NAMESPACE_TERMINATING && namespace.metadata?.name) wanted.add(namespace.metadata.name);
        }
        wanted.add(options.namespace);
      }
    }
    const data: Record<string, string> = proxy ? { [proxy.key]: proxy.content, ...((await options.hooks?.proxySecretKeys?.(result.plan)) ?? {}) } : {};
    try {
      for (const namespace of [...wanted].sort()) {
        const desired = desiredProxySecret(owner, profileName, namespace, data);
        const stored = secrets.get(profileName, namespace) as V1Secret | undefined;
        if (!stored) {
          await core.createNamespacedSecret({ namespace, body: desired });
          wrote('create');
        } else if (!ownedBy(stored, owner.uid)) {
          const taken = controllerErrors.error('profile-name-taken', '/metadata/name', `Secret ${namespace}/${profileName} (the NetworkProxy configuration) belongs to something else`);
          return { kind: 'refused', reason: 'Error', message: describeProblems([taken]), profileName };
        } else if (secretDiffers(stored, desired)) {
          await core.replaceNamespacedSecret({ namespace, name: profileName, body: { ...desired, metadata: { ...desired.metadata, resourceVersion: stored.metadata?.resourceVersion } } });
          wrote('replace');
        }
      }
      // Copies no longer wanted (the policy dropped NetworkProxy, a namespace went away from the list).
      for (const stored of secrets.list() as V1Secret[]) {
        const namespace = stored.metadata?.namespace ?? '';
        if (stored.metadata?.name !== profileName || !ownedBy(stored, owner.uid) || wanted.has(namespace)) continue;
        await core.deleteNamespacedSecret({ namespace, name: profileName });
        wrote('delete');
      }
    } catch (error) {
      if (!isConflict(error)) log(`${describePolicy(key)}: NetworkProxy Secret not written: ${problemOf(error)}`);
      return 'retry';
    }
    return 'done';
  }

  async function writePolicyStatus(key: PolicyKey, policy: StoredObject, status: PolicyStatus): Promise<void> {
    const { group, version, plural, namespaced, dialect } = POLICY_RESOURCES[key.kind];
    let written: unknown = status;
    if (dialect === 'kubearmor') {
      written = kubeArmorStatus(status);
      // KubeArmor's status says less than vArmor's: a change it cannot show is not written.
      if (isDeepStrictEqual(storedKubeArmorStatus(policy.status), written)) return;
    }
    const body = { ...policy, status: written };
    if (namespaced) await objects.replaceNamespacedCustomObjectStatus({ group, version, namespace: key.namespace, plural, name: key.name, body });
    else await objects.replaceClusterCustomObjectStatus({ group, version, plural, name: key.name, body });
    wrote('status');
  }

  function recordTransition(involved: InvolvedObject, previous: PolicyStatus | undefined, next: PolicyStatus, outcome: PolicyOutcome): void {
    const ready = next.conditions?.find((condition) => condition.type === 'Ready');
    if (outcome.kind === 'refused') {
      const problem = next.conditions?.find((condition) => (condition.type === 'Created' || condition.type === 'Updated') && condition.status === 'False');
      const before = previous?.conditions?.find((condition) => condition.type === problem?.type);
      if (problem && (before?.message !== problem.message || previous?.phase !== 'Error')) record(involved, 'Warning', outcome.reason, problem.message ?? '');
      return;
    }
    if (outcome.kind === 'applied' && outcome.change === 'created') record(involved, 'Normal', 'Created', `ArmorProfile ${outcome.profile} created`);
    if (outcome.kind === 'applied' && outcome.change === 'updated') {
      record(involved, 'Normal', 'Updated', next.conditions?.find((condition) => condition.type === 'Updated')?.message ?? 'updated');
    }
    if (next.phase !== previous?.phase || ready?.message !== previous?.conditions?.find((condition) => condition.type === 'Ready')?.message) {
      if (next.phase === 'Protecting' || next.phase === 'Modeling') record(involved, 'Normal', 'Ready', ready?.message ?? 'ready');
      else if (next.phase === 'Completed' && previous?.phase !== 'Completed') record(involved, 'Normal', 'ModelingCompleted', ready?.message ?? 'modelling completed');
      else if (next.phase === 'Error' && ready?.reason === 'Error') record(involved, 'Warning', 'LoadFailed', ready.message ?? 'the agents failed');
    }
  }

  // --- Reconcile: one ArmorProfile being deleted ---

  async function reconcileProfile(profileKey: string): Promise<'done' | 'retry'> {
    const [namespace, name] = profileKey.split('/') as [string, string];
    const profile = profiles.get(name, namespace) as StoredObject | undefined;
    const meta: Meta | undefined = profile?.metadata;
    if (!profile || !meta?.deletionTimestamp || !(meta.finalizers ?? []).includes(PROFILE_FINALIZER)) {
      unloading.delete(profileKey);
      return 'done';
    }
    const involved: InvolvedObject = { apiVersion: VARMOR_API_VERSION, kind: 'ArmorProfile', name, namespace, ...(meta.uid ? { uid: meta.uid } : {}) };
    const holding = nodesHolding(profileKey, reports, reports.liveNodes(clock().getTime()));
    if (holding.length > 0) {
      if (!unloading.has(profileKey)) {
        unloading.add(profileKey);
        record(involved, 'Normal', 'Unloading', `waiting for ${holding.length} nodes to unload the profile (${holding.slice(0, 5).join(', ')}${holding.length > 5 ? ', ...' : ''})`);
      }
      return 'done';
    }
    try {
      const body = { ...profile, metadata: { ...meta, finalizers: (meta.finalizers ?? []).filter((finalizer) => finalizer !== PROFILE_FINALIZER) } };
      await objects.replaceNamespacedCustomObject({ group: VARMOR_GROUP, version: VARMOR_VERSION, namespace, plural: PROFILE_PLURAL, name, body });
      wrote('replace');
    } catch (error) {
      if (error instanceof ApiException && error.code === 404) return 'done';
      if (!isConflict(error)) log(`ArmorProfile ${profileKey}: finalizer not removed: ${problemOf(error)}`);
      return 'retry';
    }
    unloading.delete(profileKey);
    record(involved, 'Normal', 'Unloaded', 'no node has the profile loaded any more; the ArmorProfile is released');
    return 'done';
  }

  // Reconciles read the caches: none runs before every informer has listed (the queue gathers keys meanwhile, and
  // hands them out by priority once it starts).
  const ready = Promise.all([...informers.map((informer) => informer.ready), egress?.ready]).then(() => queue.resume());
  return {
    ready,
    stats,
    async idle() {
      await ready;
      // Events may arrive while the queue drains; wait until a pass finds nothing more to do.
      for (;;) {
        await queue.idle();
        await new Promise((resolve) => setTimeout(resolve, 20));
        if (queue.length === 0) {
          await queue.idle();
          return;
        }
      }
    },
    async stop() {
      stopped = true;
      clearInterval(resync);
      clearTimeout(expiryTimer);
      for (const { timer } of modelTimers.values()) clearTimeout(timer);
      queue.stop();
      await Promise.all([...informers.map((informer) => informer.stop()), egress?.stop()]);
    },
  };
}

/** A seccomp filter is fixed when a container starts (AppArmor and BPF profiles change in place): the status says what that means. */
function seccompNote(restarting: boolean): string {
  return restarting
    ? 'the seccomp profile changed, which needs a restart: the target Deployments, StatefulSets and DaemonSets are restarted (spec.updateExistingWorkloads); Pods must be recreated'
    : 'the seccomp profile changed, which needs a restart: running containers keep the filter they started with until they restart (set spec.updateExistingWorkloads to restart Deployments, StatefulSets and DaemonSets; Pods must be recreated)';
}

/** The policy's stored status; one the controller could not have written (edited by hand) counts as none. */
function readStatus(status: unknown): PolicyStatus | undefined {
  const parsed = policyStatusSchema.safeParse(status);
  return parsed.success ? parsed.data : undefined;
}
