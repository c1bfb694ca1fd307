// An ArmorProfile's spec.profile as the controller writes it from compile's artifacts (the AppArmor text, the
// BPF content, the seccomp JSON), for the agent's tests.
import type { Artifact, Engine } from '@armorkit/core';
import type { Profile } from '@armorkit/core/schema';
import { parse } from 'yaml';

export function profileOf(artifacts: readonly Artifact[], enforcer: string): Profile {
  const first = artifacts[0];
  if (!first) throw new Error('no artifacts');
  const profile: Profile = { name: first.profileName, enforcer, mode: first.profileMode };
  for (const artifact of artifacts) {
    const content = artifact.files[0]?.content ?? '';
    if (artifact.enforcer === 'AppArmor') profile.appArmor = content;
    if (artifact.enforcer === 'Seccomp') profile.seccomp = content;
    if (artifact.enforcer === 'BPF') profile.bpf = JSON.parse(content);
  }
  return profile;
}

/** A policy text compiled by the engine: its profile name, artifacts and the ArmorProfile's spec.profile. */
export function compilePolicy(engine: Engine, text: string): { artifacts: Artifact[]; profile: Profile } {
  const parsed = engine.parse(text, 'policy.yaml');
  const policy = parsed.policies[0];
  if (!policy) throw new Error(`no policy: ${JSON.stringify(parsed.errors)}`);
  const { plan, errors } = engine.resolve(policy);
  if (!plan) throw new Error(JSON.stringify(errors));
  const compiled = engine.compile(plan);
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors));
  const enforcer = (parse(text) as { spec: { policy: { enforcer: string } } }).spec.policy.enforcer;
  return { artifacts: compiled.value, profile: profileOf(compiled.value, enforcer) };
}
