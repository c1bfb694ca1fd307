import type { PolicyError } from '@armorkit/core';

// The API server may cut a warning longer than 256 characters and drops warnings past 4096 characters in all
// (kubernetes.io "Dynamic Admission Control", response warnings); each warning is kept within both.
export const WARNING_MAX_CHARACTERS = 256;
export const WARNINGS_MAX_TOTAL_CHARACTERS = 4096;

/** `/json/pointer: message`, the way an admission response names a problem (no file: the object has none). */
export function problemLine(problem: PolicyError): string {
  return `${problem.pointer || '/'}: ${problem.message}`;
}

function shortened(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 3)}...`;
}

/** A warning travels in an HTTP `Warning` header: one line, no control characters (a tool's multi-line output, a value). */
function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ');
}

/**
 * Lines as the API server's warnings: each one line within 256 characters, all within 4096; when they do not fit,
 * the last one says how many more there were (and `more`, where to find them).
 */
export function warningHeaders(lines: readonly string[], more: string): string[] {
  const kept: string[] = [];
  let total = 0;
  for (const [index, text] of lines.entries()) {
    const line = shortened(oneLine(text), WARNING_MAX_CHARACTERS);
    const rest = lines.length - index - 1;
    // Room for this line and, if any remain after it, for the line that counts them.
    const reserve = rest > 0 ? 64 : 0;
    if (total + line.length + reserve > WARNINGS_MAX_TOTAL_CHARACTERS) {
      kept.push(`${lines.length - index} more problem(s)${more}`);
      break;
    }
    kept.push(line);
    total += line.length;
  }
  return kept;
}

/** One warning per problem (errors, then warnings marked as such), within the API server's limits. */
export function admissionWarnings(errors: readonly PolicyError[], warnings: readonly PolicyError[]): string[] {
  return warningHeaders([...errors.map(problemLine), ...warnings.map((warning) => `warning: ${problemLine(warning)}`)], ': see the status message');
}

/** The status message of a refusal: what was refused, then every problem on its own line. */
export function refusalMessage(subject: string, errors: readonly PolicyError[]): string {
  return [`${subject} is invalid: ${errors.length} problem(s)`, ...errors.map((error) => `- ${problemLine(error)}`)].join('\n');
}
