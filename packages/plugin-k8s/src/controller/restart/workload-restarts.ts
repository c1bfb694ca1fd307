// updateExistingWorkloads inside the controller: which policy changes owe a rolling restart, run them once each, and
// keep one that failed owed so the next reconcile of that policy tries again (an idle resync owes nothing).
import type { Engine, KubernetesVersion, PolicyIR, Result } from '@armorkit/core';
import type { KubeConfig } from '@kubernetes/client-node';
import type { MatchLabels } from '../../mutate/match-labels.js';
import { reprofiler } from './reprofile.js';
import { updateExistingWorkloads, type RestartReport } from './update-existing.js';

export interface WorkloadRestartsOptions {
  engine: Engine;
  kubeConfig: KubeConfig;
  /** The mutating webhook's match labels: only workloads with them get profiles, so only they are restarted. */
  matchLabels: MatchLabels;
  kubeVersion: () => Promise<Result<KubernetesVersion>>;
  /** The policies in force now (both informers, parsed). */
  policies: () => readonly PolicyIR[];
  clock: () => Date;
}

export type RestartOutcome = { ok: true; report: RestartReport } | { ok: false; message: string };

const owes = (policy: PolicyIR) => policy.spec.updateExistingWorkloads === true;

/** Owed restarts by policy key: the policy as it was when its profile changed (a deleted one is no longer in force). */
export class WorkloadRestarts {
  private readonly owed = new Map<string, { policy: PolicyIR; deleted: boolean }>();

  constructor(private readonly options: WorkloadRestartsOptions) {}

  /** The policy's profile was created or updated: its targets get the new profiles (if it asks for that). */
  changed(key: string, policy: PolicyIR): void {
    if (owes(policy)) this.owed.set(key, { policy, deleted: false });
    else this.owed.delete(key);
  }

  /** The policy is gone: its targets lose its profiles (if it asked for restarts). */
  deleted(key: string, policy: PolicyIR | undefined): void {
    if (policy && owes(policy)) this.owed.set(key, { policy, deleted: true });
    else this.owed.delete(key);
  }

  isOwed(key: string): boolean {
    return this.owed.has(key);
  }

  /** Runs the owed restart of `key`, if any; it stays owed when the targets could not be listed or one update failed. */
  async run(key: string): Promise<RestartOutcome | undefined> {
    const entry = this.owed.get(key);
    if (!entry) return undefined;
    const version = await this.options.kubeVersion();
    if (!version.ok) return { ok: false, message: version.errors.map((error) => error.message).join('; ') };
    const now = this.options.clock();
    const policies = this.options.policies().filter((policy) => !(entry.deleted && sameName(policy, entry.policy)));
    const result = await updateExistingWorkloads({
      kubeConfig: this.options.kubeConfig,
      policy: entry.policy,
      matchLabels: this.options.matchLabels,
      reprofile: reprofiler({ engine: this.options.engine, policies, kubernetesVersion: version.value, matchLabels: this.options.matchLabels, now }),
      now: () => now,
    });
    if (!result.ok) return { ok: false, message: result.errors.map((error) => error.message).join('; ') };
    // Only if this is still the change that was owed (a newer one may have come while the restart ran).
    if (result.value.failed.length === 0 && this.owed.get(key) === entry) this.owed.delete(key);
    return { ok: true, report: result.value };
  }
}

const sameName = (a: PolicyIR, b: PolicyIR) => a.kind === b.kind && a.name === b.name && a.namespace === b.namespace;

/** What an Event says about a restart. */
export function describeRestart(report: RestartReport): string {
  if (report.skipped) return report.skipped;
  const parts = [
    report.restarted.length > 0 ? `rolling restart of ${report.restarted.join(', ')}` : 'no target workload needed a restart',
    ...report.failed.map((failure) => `${failure.workload} not restarted: ${failure.message}`),
  ];
  return parts.join('; ');
}
