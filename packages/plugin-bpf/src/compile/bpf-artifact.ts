import { type Artifact, type BpfPlan, coreErrors, type Result, fail, ok } from '@armorkit/core';
import type { Profile } from '@armorkit/core/schema';
import { bpfErrors } from '../errors.js';
import { encodeProfile } from '../encode/encode-profile.js';
import type { MapEntry } from '../encode/map-entry.js';
import { type BpfCompileOptions, compileBpfProfile } from './compile-plan.js';
import type { BpfProfile } from './profile.js';
import { fromBpfContent } from './from-varmor-content.js';
import { formatBpfContent, toBpfContent } from './varmor-content.js';

/** What a BPF artifact carries: the compiled profile (for people and the evaluator) and its map entries (for the kernel). */
export interface BpfArtifactData {
  profile: BpfProfile;
  entries: MapEntry[];
}

declare module '@armorkit/core' {
  interface ArtifactDataMap {
    BPF: BpfArtifactData;
  }
}

/** A BPF plan → the artifact: `<profile>.bpf.json` in vArmor's BpfContent form, and the inner-map entries. Pure. */
export function bpfArtifact(plan: BpfPlan, options: BpfCompileOptions = {}): Result<Artifact<'BPF'>> {
  const compiled = compileBpfProfile(plan, options);
  // A failed compile reports its errors only: its warnings are about a profile that is not made.
  if (!compiled.ok) return fail(compiled.errors);
  const profile = compiled.value;
  const encoded = encodeProfile(profile);
  if ('problem' in encoded) {
    return fail([bpfErrors.error('bpf-encoding', plan.rawRules?.pointer ?? `${options.specPointer ?? '/spec'}/policy`, encoded.problem)]);
  }
  const { content, merged } = toBpfContent(profile);
  const warnings = [...compiled.warnings];
  for (const list of merged) {
    const pointer = profile[list][0]?.origin.pointer ?? '';
    warnings.push(
      bpfErrors.error(
        'bpf-content-merged',
        pointer,
        `the ${list} rules have different modes; bpf.json (vArmor's BpfContent) holds one ${list} rule, so it shows them ` +
          'merged, while the loaded profile keeps each mode',
      ),
    );
  }
  return ok(
    {
      enforcer: 'BPF',
      profileName: plan.profileName,
      profileMode: plan.profileMode,
      files: [{ suffix: 'bpf.json', content: formatBpfContent(content) }],
      data: { profile, entries: encoded.entries },
    },
    warnings,
  );
}

/**
 * An ArmorProfile's `spec.profile.bpf` (vArmor's BpfContent) → the artifact to load: the rules read back and encoded
 * into map entries as compile encodes them. Pure.
 */
export function bpfArtifactFromProfile(armorProfile: Profile): Result<Artifact<'BPF'>> {
  const base = '/spec/profile/bpf';
  const invalid = (pointer: string, message: string) => fail([coreErrors.error('armor-profile-invalid', pointer, `${armorProfile.name}: ${message}`)]);
  if (!armorProfile.bpf) return invalid(base, 'the ArmorProfile carries no BPF profile');
  const read = fromBpfContent(armorProfile.bpf, armorProfile.name, armorProfile.mode, base);
  if ('problem' in read) return invalid(read.pointer, read.problem);
  const encoded = encodeProfile(read.profile);
  if ('problem' in encoded) return invalid(base, encoded.problem);
  return ok({
    enforcer: 'BPF',
    profileName: armorProfile.name,
    profileMode: armorProfile.mode,
    files: [{ suffix: 'bpf.json', content: formatBpfContent(armorProfile.bpf) }],
    data: { profile: read.profile, entries: encoded.entries },
  });
}
