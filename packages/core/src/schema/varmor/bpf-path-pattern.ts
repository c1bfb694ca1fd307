import { z } from 'zod';

/** The BPF enforcer stores a pattern as a prefix and a (reversed) suffix, each in a 64-byte buffer with its NUL. */
export const BPF_PATTERN_PART_MAX_BYTES = 63;

const byteLength = (text: string) => Buffer.byteLength(text, 'utf8');

/**
 * Why the BPF enforcer cannot encode `pattern`, or undefined when it can: at most one `*` (a file-name glob, so no `/`
 * in the pattern) or one `**` (any run of characters), never both, and prefix and suffix under 64 bytes each.
 */
export function bpfPatternProblem(pattern: string): string | undefined {
  if (/\*{3,}/.test(pattern)) return `pattern ${JSON.stringify(pattern)} has a run of three or more '*'; use * or **`;
  const greedy = pattern.split('**').length - 1;
  const single = (pattern.match(/(?<!\*)\*(?!\*)/g) ?? []).length;
  if (greedy > 0 && single > 0) return `pattern ${JSON.stringify(pattern)} uses * and ** together; the BPF enforcer allows one or the other`;
  if (greedy > 1) return `pattern ${JSON.stringify(pattern)} uses ** ${greedy} times; the BPF enforcer allows it once`;
  if (single > 1) return `pattern ${JSON.stringify(pattern)} uses * ${single} times; the BPF enforcer allows it once`;
  if (single === 1 && pattern.includes('/')) {
    return `pattern ${JSON.stringify(pattern)} combines * with '/': * matches within a file name only; use ** to match across directories`;
  }
  const [prefix = '', suffix = ''] = pattern.split(greedy === 1 ? '**' : '*');
  if (byteLength(prefix) > BPF_PATTERN_PART_MAX_BYTES) {
    return `the part before the wildcard is ${byteLength(prefix)} bytes; the BPF enforcer allows at most ${BPF_PATTERN_PART_MAX_BYTES}`;
  }
  if (byteLength(suffix) > BPF_PATTERN_PART_MAX_BYTES) {
    return `the part after the wildcard is ${byteLength(suffix)} bytes; the BPF enforcer allows at most ${BPF_PATTERN_PART_MAX_BYTES}`;
  }
  return undefined;
}

export const bpfPathPatternSchema = z
  .string()
  .min(1)
  .superRefine((pattern, ctx) => {
    const problem = bpfPatternProblem(pattern);
    if (problem) ctx.addIssue({ code: 'custom', message: problem, params: { code: 'constraint' } });
  });
