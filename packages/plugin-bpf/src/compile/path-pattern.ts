import { type BpfPatternSubject, bpfPatternProblem } from '@armorkit/core/schema';

/**
 * A path pattern as the BPF enforcer matches it:
 * - `exact`: no wildcard; the path must be equal (vArmor compares a prefix only, Q1);
 * - `greedy`: one `**`; the path starts with `prefix` and ends with `suffix`, which do not overlap;
 * - `basename`: one `*` and no `/`; the last path component starts with `prefix` and ends with `suffix`.
 */
export interface PathPattern {
  text: string;
  kind: 'exact' | 'greedy' | 'basename';
  prefix: string;
  suffix: string;
}

/** The longest prefix, suffix or exact path the kernel tables hold (a 64-byte buffer with its NUL). */
export const PATTERN_PART_MAX_BYTES = 63;

export function parsePathPattern(text: string, subject: BpfPatternSubject = 'path'): { pattern: PathPattern } | { problem: string } {
  if (text.length === 0) return { problem: 'the pattern is empty' };
  const problem = bpfPatternProblem(text, subject);
  if (problem) return { problem };
  if (text.includes('**')) {
    const [prefix = '', suffix = ''] = text.split('**');
    return { pattern: { text, kind: 'greedy', prefix, suffix } };
  }
  if (text.includes('*')) {
    const [prefix = '', suffix = ''] = text.split('*');
    return { pattern: { text, kind: 'basename', prefix, suffix } };
  }
  return { pattern: { text, kind: 'exact', prefix: text, suffix: '' } };
}

const bytes = (text: string) => Buffer.from(text, 'utf8');

/** Whether `path` (as the kernel sees it, bytes) matches the pattern. */
export function matchPathPattern(pattern: PathPattern, path: string | Buffer): boolean {
  const subject = typeof path === 'string' ? bytes(path) : path;
  switch (pattern.kind) {
    case 'exact':
      return subject.equals(bytes(pattern.text));
    case 'greedy':
      return matchEnds(subject, bytes(pattern.prefix), bytes(pattern.suffix));
    case 'basename': {
      const slash = subject.lastIndexOf(0x2f);
      return matchEnds(subject.subarray(slash + 1), bytes(pattern.prefix), bytes(pattern.suffix));
    }
  }
}

function matchEnds(subject: Buffer, prefix: Buffer, suffix: Buffer): boolean {
  if (subject.length < prefix.length + suffix.length) return false;
  return subject.subarray(0, prefix.length).equals(prefix) && subject.subarray(subject.length - suffix.length).equals(suffix);
}

// vArmor's pattern flags (reference §3.4), for the BpfContent form.
export const PRECISE_MATCH = 0x1;
export const GREEDY_MATCH = 0x2;
export const PREFIX_MATCH = 0x4;
export const SUFFIX_MATCH = 0x8;

/** vArmor's encoding: flags, prefix, and the suffix reversed (the kernel compares it from the end). */
export function varmorPatternContent(pattern: PathPattern): { flags: number; prefix?: string; suffix?: string } {
  let flags = pattern.kind === 'exact' ? PRECISE_MATCH : pattern.kind === 'greedy' ? GREEDY_MATCH : 0;
  if (pattern.prefix) flags |= PREFIX_MATCH;
  if (pattern.suffix) flags |= SUFFIX_MATCH;
  const content: { flags: number; prefix?: string; suffix?: string } = { flags };
  if (pattern.prefix) content.prefix = pattern.prefix;
  if (pattern.suffix) content.suffix = [...pattern.suffix].reverse().join('');
  return content;
}
