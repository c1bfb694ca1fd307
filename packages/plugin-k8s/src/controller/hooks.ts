// Where other parts of the manager plug into the controller. The toServices / toPods resolver (options.egress) and
// the rolling restart (restart/workload-restarts.ts) are the controller's own; what is left to plug in is here.
import type { Plan } from '@armorkit/core';

export interface ControllerHooks {
  /** Extra keys of the NetworkProxy Secret (the MITM CA and leaf, `mitm-*.crt` / `.key`), by plan. */
  proxySecretKeys?: (plan: Plan) => Promise<Record<string, string>>;
}
