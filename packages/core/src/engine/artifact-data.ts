import type { Enforcer } from '../enforcer.js';

/**
 * Enforcer → the type of its artifacts' `data`. Empty in core; each enforcer plugin adds its entry by declaration
 * merging, so the engine, the CLI and tests read artifact data typed, with no cast:
 *
 *   declare module '@armorkit/core' { interface ArtifactDataMap { AppArmor: AppArmorArtifactData } }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by plugins through declaration merging
export interface ArtifactDataMap {}

/** The data of an enforcer's artifacts: what its plugin declared, or unknown when no plugin in the program did. */
export type ArtifactData<E extends Enforcer> = E extends keyof ArtifactDataMap ? ArtifactDataMap[E] : unknown;
