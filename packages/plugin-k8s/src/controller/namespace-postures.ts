import { isDeepStrictEqual } from 'node:util';
import type { NamespaceAnnotationsLookup } from '@armorkit/plugin-kubearmor';
import { annotatedPostures, POSTURE_ANNOTATIONS } from '@armorkit/plugin-kubearmor/parse';

/**
 * The KubeArmor posture annotations of the cluster's Namespaces, as the controller's Namespace informer sees them.
 * The engine's kubearmor plugin reads them through `lookup` (`kubearmor({ namespaceAnnotations: postures.lookup })`);
 * the controller fills them and recompiles a namespace's KubeArmorPolicies when `update` says their posture moved.
 */
export class NamespacePostures {
  readonly #annotations = new Map<string, Readonly<Record<string, string>>>();
  readonly #revisions = new Map<string, number>();

  readonly lookup: NamespaceAnnotationsLookup = (namespace) => this.#annotations.get(namespace);

  /** A namespace seen with these annotations (undefined: gone). True when the postures they set changed. */
  update(namespace: string, annotations: Readonly<Record<string, string>> | undefined): boolean {
    const before = annotatedPostures(this.#annotations.get(namespace));
    // Only the three posture keys are kept: the rest of a namespace's annotations is nothing to the translation.
    const kept: Record<string, string> = {};
    for (const key of Object.values(POSTURE_ANNOTATIONS)) {
      const value = annotations?.[key];
      if (value !== undefined) kept[key] = value;
    }
    if (Object.keys(kept).length > 0) this.#annotations.set(namespace, kept);
    else this.#annotations.delete(namespace);
    const changed = !isDeepStrictEqual(before, annotatedPostures(kept));
    if (changed) this.#revisions.set(namespace, this.revision(namespace) + 1);
    return changed;
  }

  /** Moves each time the namespace's postures change: a compile made under an older revision is stale. */
  revision(namespace: string): number {
    return this.#revisions.get(namespace) ?? 0;
  }
}
