import { z } from 'zod';

/** The BPF enforcer stores a pattern as a prefix and a (reversed) suffix, each in a 64-byte buffer with its NUL. */
export const BPF_PATTERN_PART_MAX_BYTES = 63;

const byteLength = (text: string) => Buffer.byteLength(text, 'utf8');

/**
 * What a pattern is matched against: a path the kernel resolved (files, and exec rules, which always check the
 * executable's resolved path) or mount(2)'s source string as the caller gave it, which may be a name such as `proc`.
 */
export type BpfPatternSubject = 'path' | 'mount-source';

/**
 * Why the BPF enforcer cannot encode `pattern`, or undefined when it can: at most one `*` (a file-name glob, so no `/`
 * in the pattern) or one `**` (any run of characters), never both, prefix and suffix under 64 bytes each, and the
 * shape of a path that can match (see bpfPathShapeProblem).
 */
export function bpfPatternProblem(pattern: string, subject: BpfPatternSubject = 'path'): string | undefined {
  if (pattern.includes('\0')) return `pattern ${JSON.stringify(pattern)} contains a NUL byte; the kernel ends every path at NUL, so it could never match`;
  if (/\*{3,}/.test(pattern)) return `pattern ${JSON.stringify(pattern)} has a run of three or more '*'; use * or **`;
  const greedy = pattern.split('**').length - 1;
  const single = (pattern.match(/(?<!\*)\*(?!\*)/g) ?? []).length;
  if (greedy > 0 && single > 0) return `pattern ${JSON.stringify(pattern)} uses * and ** together; the BPF enforcer allows one or the other`;
  if (greedy > 1) return `pattern ${JSON.stringify(pattern)} uses ** ${greedy} times; the BPF enforcer allows it once`;
  if (single > 1) return `pattern ${JSON.stringify(pattern)} uses * ${single} times; the BPF enforcer allows it once`;
  if (single === 1 && pattern.includes('/')) {
    return `pattern ${JSON.stringify(pattern)} combines * with '/': * matches within a file name only; use ** to match across directories`;
  }
  const shape = single === 1 ? undefined : bpfPathShapeProblem(pattern, subject);
  if (shape) return shape;
  const [prefix = '', suffix = ''] = pattern.split(greedy === 1 ? '**' : '*');
  if (byteLength(prefix) > BPF_PATTERN_PART_MAX_BYTES) {
    return `the part before the wildcard is ${byteLength(prefix)} bytes; the BPF enforcer allows at most ${BPF_PATTERN_PART_MAX_BYTES}`;
  }
  if (byteLength(suffix) > BPF_PATTERN_PART_MAX_BYTES) {
    return `the part after the wildcard is ${byteLength(suffix)} bytes; the BPF enforcer allows at most ${BPF_PATTERN_PART_MAX_BYTES}`;
  }
  return undefined;
}

/**
 * Why a path pattern (exact, or with `**`) can never match what the kernel reports, or undefined: a path is absolute
 * and resolved, so it has no `.` or `..` component and no empty one (`//`, a trailing `/`). A pattern may start with
 * `**` (any leading directories); a mount source without any `/` is a name (`proc`, `tmpfs`, `overlay`).
 * (A `*` pattern has no `/`: it is matched against the last component, the file name.)
 */
export function bpfPathShapeProblem(pattern: string, subject: BpfPatternSubject): string | undefined {
  const quoted = JSON.stringify(pattern);
  if (pattern === '/') return undefined;
  const sourceName = subject === 'mount-source' && !pattern.includes('/');
  if (!pattern.startsWith('/') && !pattern.startsWith('**') && !sourceName) {
    const seen = subject === 'path' ? 'paths the BPF enforcer checks are absolute (from the task\'s root)' : 'a mount source with a / is a path, and paths are absolute';
    return `pattern ${quoted} is relative; ${seen}, so it could never match; start it with / (or ** for any directory)`;
  }
  const components = (pattern.startsWith('/') ? pattern.slice(1) : pattern).split('/');
  if (components.includes('')) return `pattern ${quoted} has an empty path component (// or a trailing /), which a resolved path never has`;
  const dot = components.find((component) => component === '.' || component === '..');
  if (dot) return `pattern ${quoted} has a ${JSON.stringify(dot)} component, which a resolved path never has; write the path it resolves to`;
  return undefined;
}

const patternSchema = (subject: BpfPatternSubject) =>
  z
    .string()
    .min(1)
    .superRefine((pattern, ctx) => {
      const problem = bpfPatternProblem(pattern, subject);
      if (problem) ctx.addIssue({ code: 'custom', message: problem, params: { code: 'constraint' } });
    });

/** A file or exec pattern (`bpfRawRules.files[].pattern`, `.processes[].pattern`). */
export const bpfPathPatternSchema = patternSchema('path');
/** A mount rule's `sourcePattern`. */
export const bpfMountSourcePatternSchema = patternSchema('mount-source');
