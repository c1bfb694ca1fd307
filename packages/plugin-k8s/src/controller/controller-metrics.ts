import { Gauge, Registry } from 'prom-client';
import type { Manager } from './manager.js';

/**
 * The manager's metrics, read when scraped: whether this replica leads, and its controller's reconciles, retries
 * and writes (vArmor's varmor_profile_processing_* counted as armorkit_controller_*).
 */
export class ControllerMetrics {
  readonly registry = new Registry();
  readonly contentType = this.registry.contentType;

  constructor(manager: Manager) {
    const stats = () => manager.controller()?.stats;
    new Gauge({ name: 'armorkit_controller_leader', help: '1 while this replica holds the Lease and runs the controller.', registers: [this.registry], collect() { this.set(manager.isLeader() ? 1 : 0); } });
    new Gauge({ name: 'armorkit_controller_reconciles', help: 'Keys reconciled since this replica became leader.', registers: [this.registry], collect() { this.set(stats()?.reconciles ?? 0); } });
    new Gauge({ name: 'armorkit_controller_retries', help: 'Reconciles that must be tried again (conflicts, API errors) since this replica became leader.', registers: [this.registry], collect() { this.set(stats()?.retries ?? 0); } });
    new Gauge({
      name: 'armorkit_controller_writes',
      help: 'Requests that changed something, by verb, since this replica became leader.',
      labelNames: ['verb'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [verb, count] of Object.entries(stats()?.writes ?? {})) this.set({ verb }, count);
      },
    });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
