// `armorkit k8s manager`: the controller, run only while this replica holds the Lease.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { startLeaderElection, type LeaderElectionOptions } from '../leader/lease.js';
import { type Controller, type ControllerOptions, startController } from './controller.js';
import { DEFAULT_LEASE_NAME } from './names.js';

export interface ManagerOptions extends ControllerOptions {
  leaseName?: string;
  /** Lease timings (ms); client-go's defaults (15 s, 10 s, 2 s) otherwise. */
  leaseDuration?: number;
  renewDeadline?: number;
  retryPeriod?: number;
  /** Called when leadership is lost while running: the process should exit (a restarted pod campaigns again). */
  onLostLeadership?: () => void;
}

export interface Manager {
  /** Who this replica is in the Lease. */
  readonly identity: string;
  isLeader(): boolean;
  /** The controller while leading. */
  controller(): Controller | undefined;
  stop(): Promise<void>;
}

/** A replica's identity: the pod's name (HOSTNAME in a pod) and a random part, so two processes on one host differ. */
export const defaultIdentity = () => `${hostname()}_${randomBytes(4).toString('hex')}`;

export function startManager(options: ManagerOptions): Manager {
  const identity = options.identity ?? defaultIdentity();
  const log = options.log ?? (() => {});
  let controller: Controller | undefined;
  let stopping = false;
  const election: LeaderElectionOptions = {
    kubeConfig: options.kubeConfig,
    namespace: options.namespace,
    name: options.leaseName ?? DEFAULT_LEASE_NAME,
    identity,
    ...(options.leaseDuration !== undefined ? { leaseDuration: options.leaseDuration } : {}),
    ...(options.renewDeadline !== undefined ? { renewDeadline: options.renewDeadline } : {}),
    ...(options.retryPeriod !== undefined ? { retryPeriod: options.retryPeriod } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    log,
    onStartedLeading: () => {
      controller = startController({ ...options, identity });
    },
    onStoppedLeading: () => {
      const running = controller;
      controller = undefined;
      void running?.stop();
      if (!stopping) options.onLostLeadership?.();
    },
  };
  const elector = startLeaderElection(election);
  return {
    identity,
    isLeader: () => elector.isLeader(),
    controller: () => controller,
    async stop() {
      stopping = true;
      const running = controller;
      controller = undefined;
      // The controller stops writing before the Lease is given up, so two replicas never act at once.
      await running?.stop();
      await elector.stop();
    },
  };
}
