import { type BpfPlan, type CompileResult, policyError } from '@armorkit/core';
import { encodeProfile } from '../encode/encode-profile.js';
import type { MapEntry } from '../encode/map-entry.js';
import { type BpfCompileOptions, compileBpfProfile } from './compile-plan.js';
import type { BpfProfile } from './profile.js';
import { formatBpfContent, toBpfContent } from './varmor-content.js';

/** What a BPF artifact carries: the compiled profile (for people and the evaluator) and its map entries (for the kernel). */
export interface BpfArtifactData {
  profile: BpfProfile;
  entries: MapEntry[];
}

/** A BPF plan → the artifact: `<profile>.bpf.json` in vArmor's BpfContent form, and the inner-map entries. Pure. */
export function bpfArtifact(plan: BpfPlan, options: BpfCompileOptions = {}): CompileResult<BpfArtifactData> {
  const compiled = compileBpfProfile(plan, options);
  if (!compiled.profile) return { errors: compiled.errors };
  const encoded = encodeProfile(compiled.profile);
  if ('problem' in encoded) {
    return { errors: [policyError('bpf-encoding', plan.rawRules?.pointer ?? `${options.specPointer ?? '/spec'}/policy`, encoded.problem)] };
  }
  const { content, merged } = toBpfContent(compiled.profile);
  const warnings = [...compiled.warnings];
  for (const list of merged) {
    const pointer = compiled.profile[list][0]?.origin.pointer ?? '';
    warnings.push(
      policyError(
        'bpf-content-merged',
        pointer,
        `the ${list} rules have different modes; bpf.json (vArmor's BpfContent) holds one ${list} rule, so it shows them ` +
          'merged, while the loaded profile keeps each mode',
      ),
    );
  }
  return {
    artifact: {
      enforcer: 'BPF',
      profileName: plan.profileName,
      profileMode: plan.profileMode,
      files: [{ suffix: 'bpf.json', content: formatBpfContent(content) }],
      data: { profile: compiled.profile, entries: encoded.entries },
      warnings,
    },
    errors: [],
  };
}
