import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePathPattern, type PathPattern } from '../src/compile/path-pattern.js';
import { emptyProfile, type BpfProfile } from '../src/compile/profile.js';
import { encodeProfile } from '../src/encode/encode-profile.js';
import { PATH_RULE, TABLE_FILE, TABLE_MOUNT } from '../src/encode/layout.js';
import { evaluate } from '../src/evaluate.js';
import { backwardHash, forwardHash } from '../src/encode/path-hash.js';
import { InnerMap, basenameStart, matchPathTable } from './support/kernel-model.js';

// Few letters, so random paths hit random patterns often.
const text = (alphabet: string[], max: number) => fc.array(fc.constantFrom(...alphabet), { maxLength: max }).map((chars) => chars.join(''));
const pathText = text(['a', 'b', '/', '.'], 90).map((t) => `/${t}`);
const patternText = fc.oneof(
  text(['a', 'b', '/', '.'], 40).map((t) => `/${t}`),
  fc.tuple(text(['a', 'b', '/', '.'], 30), text(['a', 'b', '/', '.'], 30)).map(([p, s]) => `${p}**${s}`),
  fc.tuple(text(['a', 'b', '.'], 20), text(['a', 'b', '.'], 20)).map(([p, s]) => `${p}*${s}`),
);
const pattern = patternText.map((t) => parsePathPattern(t)).filter((p): p is { pattern: PathPattern } => 'pattern' in p).map((p) => p.pattern);
const origin = { pointer: '', source: 'raw' };

function decide(verdict: { deny: number; audit: number }) {
  const allowed = verdict.deny === 0;
  return verdict.audit === 0 ? { allowed } : { allowed, event: allowed ? 'AUDIT' : 'DENIED' };
}

describe('the encoded path index finds exactly the rules evaluate() matches', () => {
  it('file rules: random patterns, permissions and modes against random paths', () => {
    const fileRule = fc.record({ pattern, permissions: fc.integer({ min: 1, max: 15 }).map((p) => p & 0xe).filter((p) => p !== 0), mode: fc.integer({ min: 1, max: 3 }) });
    fc.assert(
      fc.property(fc.array(fileRule, { minLength: 1, maxLength: 20 }), fc.array(pathText, { minLength: 1, maxLength: 10 }), fc.integer({ min: 1, max: 15 }), (rules, paths, asked) => {
        const profile: BpfProfile = { ...emptyProfile('p', 'enforce'), files: rules.map((r) => ({ ...r, origin })) };
        const encoded = encodeProfile(profile);
        if ('problem' in encoded) throw new Error(encoded.problem);
        const inner = new InnerMap(encoded.entries);
        const requested = asked & 0xe;
        // Paths that match some rule's shape, as well as random ones.
        const candidates = [...paths, ...rules.map((r) => (r.pattern.kind === 'exact' ? r.pattern.text : `/x/${r.pattern.prefix}ab${r.pattern.suffix}`))];
        for (const path of candidates) {
          const bytes = Buffer.from(path);
          const model = decide(matchPathTable(inner, TABLE_FILE, bytes, basenameStart(bytes), requested));
          expect(model, path).toEqual(evaluate(profile, { operation: 'file', path, permissions: requested }));
        }
      }),
      { numRuns: 400 },
    );
  });

  it('mount rules: the flags and filesystem type are checked after the source pattern', () => {
    const mountRule = fc.record({
      pattern,
      fstype: fc.constantFrom('*', 'none', 'tmpfs'),
      mountFlags: fc.constantFrom(0, 0x1000, 0x20, 0x200, 0xfffffdff),
      reverseMountFlags: fc.constantFrom(0, 1, 0xffffffff),
      mode: fc.integer({ min: 1, max: 3 }),
    });
    fc.assert(
      fc.property(fc.array(mountRule, { minLength: 1, maxLength: 12 }), pathText, fc.constantFrom(0, 0x1000, 0x1, 0x20), fc.constantFrom('tmpfs', 'proc'), (rules, source, flags, fstype) => {
        const profile: BpfProfile = { ...emptyProfile('p', 'enforce'), mounts: rules.map((r) => ({ ...r, origin })) };
        const encoded = encodeProfile(profile);
        if ('problem' in encoded) throw new Error(encoded.problem);
        const inner = new InnerMap(encoded.entries);
        const effective = flags & 0x7e1220 ? 'none' : fstype;
        const bytes = Buffer.from(source);
        const model = matchPathTable(inner, TABLE_MOUNT, bytes, basenameStart(bytes), 1, (rule) => {
          const mountFlags = rule.readUInt32LE(PATH_RULE.mountFlags);
          const reverse = rule.readUInt32LE(PATH_RULE.reverseMountFlags);
          const ruleType = rule.subarray(PATH_RULE.fstype, PATH_RULE.fstype + 16).toString('utf8').replace(/\0.*$/s, '');
          return ((flags & mountFlags) !== 0 || (~flags & reverse) !== 0) && (ruleType === '*' || ruleType === effective);
        });
        expect(decide(model)).toEqual(evaluate(profile, { operation: 'mount', source, fstype, flags }));
      }),
      { numRuns: 300 },
    );
  });
});

describe('path hashes', () => {
  it('hash a suffix read backward the same as the kernel reads words from the end', () => {
    // A 9-byte suffix: one full word from the end, then one byte in the high end of the next word back.
    const suffix = Buffer.from('/mountinfo');
    expect(backwardHash(suffix, 2)).not.toBe(forwardHash(suffix, 2));
    expect(backwardHash(Buffer.from('abc'), 2)).not.toBe(backwardHash(Buffer.from('abc'), 1));
    expect(forwardHash(Buffer.from('abc'), 1)).not.toBe(forwardHash(Buffer.from('abc\0'), 1));
  });
});
