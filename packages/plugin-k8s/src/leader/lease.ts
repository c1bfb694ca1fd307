// Leader election on a coordination.k8s.io/v1 Lease, as client-go's leaderelection package does it: the holder
// renews the Lease every retry period; another replica takes it over only once it has seen the same record, unchanged,
// for a whole lease duration (its own clock, so the replicas' clocks need not agree); a leader that cannot renew
// within the renew deadline stops acting before its lease can expire; on shutdown the leader gives the Lease up.
import { ApiException, CoordinationV1Api, type KubeConfig, type V1Lease, V1MicroTime } from '@kubernetes/client-node';

export interface LeaderElectionOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  name: string;
  /** Who this replica is (the pod name and a random suffix): the Lease's holderIdentity. */
  identity: string;
  /** How long a lease lasts without renewal (ms). Default 15 s, client-go's. */
  leaseDuration?: number;
  /** A leader that has not renewed for this long (ms) stops leading. Default 10 s; must be below leaseDuration. */
  renewDeadline?: number;
  /** How often to try to acquire or renew (ms). Default 2 s. */
  retryPeriod?: number;
  onStartedLeading: () => void;
  /** Called when leadership is lost (renewal failed past the deadline, or another holder was found) or given up. */
  onStoppedLeading: () => void;
  clock?: () => Date;
  log?: (line: string) => void;
}

export interface LeaderElector {
  isLeader(): boolean;
  /** The holder the last read of the Lease showed ('' when none). */
  observedHolder(): string;
  /** Stops trying; a leader releases the Lease (holderIdentity cleared) so another replica takes over at once. */
  stop(): Promise<void>;
}

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));
/** client-node reads a MicroTime back as the server's string, though its type says Date: ms either way. */
function timeOf(value: unknown): number | undefined {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'string') {
    const parsed = Date.parse(value);
    return Number.isNaN(parsed) ? undefined : parsed;
  }
  return undefined;
}

export function startLeaderElection(options: LeaderElectionOptions): LeaderElector {
  const api = options.kubeConfig.makeApiClient(CoordinationV1Api);
  const clock = options.clock ?? (() => new Date());
  const log = options.log ?? (() => {});
  const leaseDuration = options.leaseDuration ?? 15_000;
  const renewDeadline = options.renewDeadline ?? 10_000;
  const retryPeriod = options.retryPeriod ?? 2_000;
  const { namespace, name, identity } = options;
  let leading = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let lastRenew = 0;
  /** The record last read and when (our clock) it last changed: expiry is judged from this, not the holder's clock. */
  let observed: { record: string; at: number; holder: string } = { record: '', at: 0, holder: '' };
  let running: Promise<void> = Promise.resolve();

  const spec = (lease: V1Lease | undefined, now: Date, acquiring: boolean): V1Lease['spec'] => ({
    holderIdentity: identity,
    leaseDurationSeconds: seconds(leaseDuration),
    acquireTime: new V1MicroTime((acquiring ? undefined : timeOf(lease?.spec?.acquireTime)) ?? now.getTime()),
    renewTime: new V1MicroTime(now.getTime()),
    leaseTransitions: (lease?.spec?.leaseTransitions ?? 0) + (acquiring && lease?.spec?.holderIdentity !== identity && lease !== undefined ? 1 : 0),
  });

  function becomeLeader(): void {
    lastRenew = clock().getTime();
    if (leading) return;
    leading = true;
    log(`leader election: ${identity} leads (Lease ${namespace}/${name})`);
    options.onStartedLeading();
  }

  function loseLeadership(why: string): void {
    if (!leading) return;
    leading = false;
    log(`leader election: ${identity} stopped leading: ${why}`);
    options.onStoppedLeading();
  }

  async function tryAcquireOrRenew(): Promise<void> {
    const now = clock();
    let lease: V1Lease | undefined;
    try {
      lease = await api.readNamespacedLease({ name, namespace });
    } catch (error) {
      if (!(error instanceof ApiException && error.code === 404)) throw error;
    }
    if (!lease) {
      await api.createNamespacedLease({ namespace, body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace }, spec: spec(undefined, now, true) } });
      observed = { record: '', at: now.getTime(), holder: identity };
      becomeLeader();
      return;
    }
    const holder = lease.spec?.holderIdentity ?? '';
    const record = JSON.stringify([holder, timeOf(lease.spec?.renewTime), lease.metadata?.resourceVersion]);
    if (record !== observed.record) observed = { record, at: now.getTime(), holder };
    const duration = (lease.spec?.leaseDurationSeconds ?? seconds(leaseDuration)) * 1000;
    const expired = holder === '' || observed.at + duration <= now.getTime();
    if (holder !== identity && !expired) {
      loseLeadership(`the Lease is held by ${holder}`);
      return;
    }
    const body: V1Lease = { ...lease, spec: spec(lease, now, holder !== identity) };
    const renewed = await api.replaceNamespacedLease({ name, namespace, body });
    observed = { record: JSON.stringify([identity, timeOf(renewed.spec?.renewTime), renewed.metadata?.resourceVersion]), at: now.getTime(), holder: identity };
    if (holder !== identity) log(`leader election: ${identity} took over the Lease from ${holder || 'nobody'}`);
    becomeLeader();
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tryAcquireOrRenew()
        .catch((error: unknown) => {
          // A conflict is another replica writing first; anything else is the API server's trouble. Either way a
          // leader keeps acting until the renew deadline, and then stops before its lease can run out.
          const conflict = error instanceof ApiException && error.code === 409;
          if (!conflict) log(`leader election: ${error instanceof Error ? error.message : String(error)}`);
          if (leading && clock().getTime() - lastRenew >= renewDeadline) loseLeadership(`no renewal for ${renewDeadline} ms`);
        })
        .finally(schedule);
    }, retryPeriod);
  }

  running = tryAcquireOrRenew()
    .catch((error: unknown) => {
      if (!(error instanceof ApiException && error.code === 409)) log(`leader election: ${error instanceof Error ? error.message : String(error)}`);
    })
    .finally(schedule);

  return {
    isLeader: () => leading,
    observedHolder: () => observed.holder,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
      if (!leading) return;
      try {
        const lease = await api.readNamespacedLease({ name, namespace });
        if (lease.spec?.holderIdentity === identity) {
          const now = new V1MicroTime(clock().getTime());
          // client-go's release: no holder, a one-second lease, so the next replica need not wait out the old one.
          await api.replaceNamespacedLease({ name, namespace, body: { ...lease, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: now, acquireTime: now } } });
        }
      } catch (error) {
        log(`leader election: the Lease was not released: ${error instanceof Error ? error.message : String(error)}`);
      }
      loseLeadership('shutting down');
    },
  };
}
