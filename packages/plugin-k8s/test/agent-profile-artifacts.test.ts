import { describe, expect, it } from 'vitest';
import { errorsOf, type Enforcer } from '@armorkit/core';
import { engine } from './mutate-harness.js';
import { compilePolicy } from './support/armor-profile.js';
import { varmorCorpus } from './support/corpus.js';

// The agent loads what an ArmorProfile carries; each backend's fromProfile must give back what compile made.
// (the corpus policies of these enforcers that compile; some are refused on purpose, e.g. a raw rule without qualifiers)
const compiles = (text: string) => {
  try {
    compilePolicy(engine, text);
    return true;
  } catch {
    return false;
  }
};
const corpus = varmorCorpus().filter(({ text }) => /enforcer: *[A-Za-z]*(AppArmor|BPF|Seccomp)/.test(text) && !/NetworkProxy/.test(text) && compiles(text));

describe('fromProfile: an ArmorProfile spec.profile back into the engine artifacts', () => {
  it('covers the corpus', () => expect(corpus.length).toBeGreaterThanOrEqual(15));

  it.each(corpus.map(({ name, text }) => [name, text]))('%s: the same artifact data as compile', (_name, text) => {
    const { artifacts, profile } = compilePolicy(engine, text);
    expect(artifacts.length).toBeGreaterThan(0);
    for (const artifact of artifacts) {
      const back = engine.artifactFromProfile(artifact.enforcer as Enforcer, profile);
      expect(back.ok, JSON.stringify(errorsOf(back))).toBe(true);
      if (!back.ok) continue;
      expect(back.value.profileName).toBe(artifact.profileName);
      expect(back.value.profileMode).toBe(artifact.profileMode);
      expect(back.value.files).toEqual(artifact.files);
      if (artifact.enforcer === 'AppArmor' && back.value.enforcer === 'AppArmor') {
        const { origins: _o, ...data } = artifact.data as { origins: unknown };
        const { origins: _b, ...read } = back.value.data as { origins: unknown };
        expect(read).toEqual(data);
      } else if (artifact.enforcer === 'BPF') {
        expect((back.value.data as { entries: unknown }).entries).toEqual((artifact.data as { entries: unknown }).entries);
      } else {
        expect(back.value.data).toEqual(artifact.data);
      }
    }
  });

  it('refuses a profile without the enforcer field, or one that is not its format, naming the field', () => {
    const base = { name: 'varmor-testns-demo', enforcer: 'AppArmorBPFSeccomp', mode: 'enforce' as const };
    const none = engine.artifactFromProfile('Seccomp', base);
    expect(none.ok).toBe(false);
    expect(errorsOf(none)[0]).toMatchObject({ code: 'armor-profile-invalid', pointer: '/spec/profile/seccomp' });
    const notJson = engine.artifactFromProfile('Seccomp', { ...base, seccomp: '{"defaultAction": ' });
    expect(errorsOf(notJson)[0]?.message).toMatch(/varmor-testns-demo: not JSON/);
    const wrongAction = engine.artifactFromProfile('Seccomp', { ...base, seccomp: '{"defaultAction":"SCMP_ACT_NOPE"}' });
    expect(errorsOf(wrongAction)[0]?.message).toMatch(/not an OCI seccomp profile: \/defaultAction/);
    const badPattern = engine.artifactFromProfile('BPF', { ...base, bpf: { files: [{ mode: 1, permissions: 2, pattern: { flags: 2, prefix: '/a/**/b' } }] } });
    expect(errorsOf(badPattern)[0]).toMatchObject({ code: 'armor-profile-invalid', pointer: '/spec/profile/bpf/files/0' });
    expect(errorsOf(engine.artifactFromProfile('AppArmor', base))[0]?.pointer).toBe('/spec/profile/appArmor');
  });
});
