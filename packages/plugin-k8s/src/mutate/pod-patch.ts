import type { Enforcer, EnforcerPodChanges, PodChange, PolicyError, Result } from '@armorkit/core';
import { fail, ok } from '@armorkit/core';
import { mutateErrors } from './errors.js';
import { formatJson, type PathSegment, toPointer } from './json-patch.js';
import type { PatchWriter } from './patch-writer.js';
import type { Workload } from './workload.js';

/** The order vArmor's webhook writes each container's changes in (reference §6.3); pod-wide changes come first. */
const PATCH_ORDER: readonly Enforcer[] = ['NetworkProxy', 'BPF', 'AppArmor', 'Seccomp'];

interface Placed {
  enforcer: Enforcer;
  change: PodChange;
  /** The container's index; -1 for pod-wide changes. */
  containerIndex: number;
}

/**
 * Writes the enforcers' pod changes into `writer` (vArmor's order: pod-wide changes, then each container's, BPF
 * before AppArmor before seccomp). Fails, writing nothing useful, when a change names a container the pod does not
 * have or two enforcers want different values at one place.
 */
export function writePodChanges(writer: PatchWriter, workload: Workload, changes: readonly EnforcerPodChanges[]): Result<void> {
  const errors: PolicyError[] = [];
  const indexOf = new Map(workload.pod.containers.map((container) => [container.name, container.index]));
  const placed: Placed[] = [];
  for (const { enforcer, changes: list } of changes) {
    for (const change of list) {
      const container = 'container' in change ? change.container : undefined;
      const containerIndex = container === undefined ? -1 : indexOf.get(container);
      if (containerIndex === undefined) {
        errors.push(mutateErrors.error('pod-change-invalid', '/spec', `the ${enforcer} plugin asked to change container "${container}", which the pod does not have`));
        continue;
      }
      placed.push({ enforcer, change, containerIndex });
    }
  }
  const rank = (entry: Placed) => PATCH_ORDER.indexOf(entry.enforcer);
  placed.sort((a, b) => a.containerIndex - b.containerIndex || rank(a) - rank(b));
  const wanted = new Map<string, { enforcer: Enforcer; value: string }>();
  for (const entry of placed) {
    const { path, value } = target(workload, entry);
    const named = entry.change.kind !== 'annotation' && entry.change.kind !== 'container-security-profile';
    const where = `${named ? 'named' : 'set'} ${JSON.stringify(path)}`;
    const previous = wanted.get(where);
    const text = formatJson(value);
    if (previous && previous.value !== text) {
      errors.push(mutateErrors.error('pod-change-conflict', toPointer(path), `${previous.enforcer} and ${entry.enforcer} want different values here (${previous.value} and ${text})`));
      continue;
    }
    wanted.set(where, { enforcer: entry.enforcer, value: text });
    if (!named) writer.set(path, value);
    else if (typeof value === 'object' && value !== null && 'name' in value) writer.appendNamed(path.slice(0, -1), value);
  }
  return errors.length > 0 ? fail(errors) : ok(undefined);
}

/** Where a change goes: the member it sets, or `<array>/<name>` for what it adds by name. */
function target(workload: Workload, { change, containerIndex }: Placed): { path: PathSegment[]; value: PodChange['value'] } {
  const spec = workload.podSpecPath;
  const container = [...spec, 'containers', containerIndex];
  switch (change.kind) {
    case 'annotation':
      return { path: [...workload.podMetadataPath, 'annotations', change.key], value: change.value };
    case 'container-security-profile':
      return { path: [...container, 'securityContext', change.field], value: change.value };
    case 'init-container':
      return { path: [...spec, 'initContainers', change.value.name], value: change.value };
    case 'sidecar':
      return { path: [...spec, 'containers', change.value.name], value: change.value };
    case 'volume':
      return { path: [...spec, 'volumes', change.value.name], value: change.value };
    case 'container-env':
      return { path: [...container, 'env', change.value.name], value: change.value };
    case 'container-volume-mount':
      return { path: [...container, 'volumeMounts', change.value.name], value: change.value };
  }
}
