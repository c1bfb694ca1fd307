import { closest, distance } from 'fastest-levenshtein';
import type { z } from 'zod';
import { toPointer, type PolicyError } from '../errors.js';
import type { SourceDocument } from '../source.js';
import { knownKeysAt } from './known-keys.js';

type Issue = z.core.$ZodIssue;
type Segment = string | number;

/** Field names users write by mistake, with what to write instead. */
const FIELD_HINTS: ReadonlyMap<string, string> = new Map([
  [
    'egresses',
    'unknown field "egresses": the API field is "egress" (an object with toDestinations, toServices and toPods); ' +
      "vArmor's custom_rules.md example spells it egresses, and vArmor silently drops it",
  ],
]);

/** Turns the issues of one `safeParse` into policy errors with pointers and YAML positions, in document order. */
export function issuesToPolicyErrors(issues: readonly Issue[], document: SourceDocument, root: z.core.$ZodType): PolicyError[] {
  return issueProblems(issues, root).map((error) => {
    const position = error.code === 'unknown-field' ? document.locateKey(error.pointer) : document.locate(error.pointer);
    return {
      ...error,
      location: { file: document.file, document: document.index, ...(position ?? {}) },
    };
  });
}

/** The problems of one `safeParse`, without positions (for values nested in a field, such as a custom profile's JSON). */
export function issueProblems(issues: readonly Issue[], root: z.core.$ZodType): PolicyError[] {
  return withoutSafeIntegerBound(issues).flatMap((issue) => issueToErrors(issue, root));
}

/**
 * `z.number().int().max(5)` reports 2^60 twice: past the safe-integer range and past 5. One problem, one error: the
 * field's own bound is kept.
 */
function withoutSafeIntegerBound(issues: readonly Issue[]): readonly Issue[] {
  const isSafeIntegerBound = (issue: Issue) => (issue.code === 'too_big' || issue.code === 'too_small') && issue.origin === 'int';
  const sameProblem = (a: Issue, b: Issue) => a !== b && a.code === b.code && a.path.length === b.path.length && a.path.every((segment, i) => segment === b.path[i]);
  return issues.filter((issue) => !isSafeIntegerBound(issue) || !issues.some((other) => !isSafeIntegerBound(other) && sameProblem(issue, other)));
}

function issueToErrors(issue: Issue, root: z.core.$ZodType): PolicyError[] {
  const path: Segment[] = issue.path.map((segment) => (typeof segment === 'symbol' ? String(segment.description) : segment));
  const pointer = toPointer(path);
  const field = fieldName(path);
  const input = issue.input;
  const withValue = (code: string, message: string, atPointer = pointer): PolicyError =>
    isEchoable(input) ? { code, pointer: atPointer, message, value: input } : { code, pointer: atPointer, message };

  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = knownKeysAt(root, path);
      return issue.keys.map((key) => ({
        code: 'unknown-field',
        pointer: toPointer([...path, key]),
        message: unknownFieldMessage(key, known),
      }));
    }
    case 'invalid_type':
      if (input === undefined) {
        return [{ code: 'required', pointer, message: `${field} is required${requiredHint(field, pointer)}` }];
      }
      if (typeof input === 'number' && !Number.isFinite(input)) return [notFinite(field, input, pointer)];
      if (typeof input === 'bigint' && (issue.expected === 'number' || issue.expected === 'int')) {
        // YAML integers past 2^53 arrive as bigint to stay exact; only uint64 fields take them.
        return [withValue('invalid-value', `${field} ${shortened(String(input))} is ${input < 0n ? 'too small' : 'too large'} for this field`)];
      }
      return [withValue('invalid-type', `${field} must be ${describeExpected(issue.expected)}, got ${describeValue(input)}`)];
    case 'invalid_value': {
      const allowed = issue.values.map((value) => JSON.stringify(value));
      if (allowed.length === 1) {
        return [withValue('invalid-value', `${field} must be ${allowed[0]}, got ${describeValue(input)}`)];
      }
      const suggestion = typeof input === 'string' ? suggest(input, issue.values.map(String)) : undefined;
      const hint = suggestion ? `; did you mean ${JSON.stringify(suggestion)}?` : '';
      return [withValue('invalid-value', `${describeValue(input)} is not one of ${allowed.join(', ')}${hint}`)];
    }
    case 'too_small':
      return [withValue(...sizeProblem(issue.origin, 'small', Number(issue.minimum), issue.inclusive !== false, field, input))];
    case 'too_big':
      return [withValue(...sizeProblem(issue.origin, 'big', Number(issue.maximum), issue.inclusive !== false, field, input))];
    case 'invalid_format':
      return [withValue('invalid-value', `${field} ${describeValue(input)} ${formatProblem(issue)}`)];
    case 'custom': {
      const code = typeof issue.params?.code === 'string' ? issue.params.code : 'constraint';
      return [withValue(code, issue.message)];
    }
    case 'invalid_union': {
      if (typeof input === 'number' && !Number.isFinite(input)) return [notFinite(field, input, pointer)];
      const expected = [...new Set(issue.errors.flat().filter((inner) => inner.code === 'invalid_type').map((inner) => describeExpected(inner.expected)))];
      if (expected.length > 0 && issue.errors.every((branch) => branch.some((inner) => inner.code === 'invalid_type' && inner.path.length === 0))) {
        return [withValue('invalid-type', `${field} must be ${expected.join(' or ')}, got ${describeValue(input)}`)];
      }
      const reasons = [...new Set(issue.errors.map((branch) => branch[0]?.message).filter((m): m is string => !!m))];
      return [withValue('invalid-value', `${field} ${describeValue(input)} matches no allowed form (${reasons.join('; ')})`)];
    }
    default:
      return [withValue('invalid-value', `${field}: ${issue.message}`)];
  }
}

/** YAML's .nan and .inf, and 1e999, are numbers no field takes. */
function notFinite(field: string, input: number, pointer: string): PolicyError {
  return { code: 'invalid-value', pointer, message: `${field} ${input} is not a finite number` };
}

function requiredHint(field: string, pointer: string): string {
  if (field === 'qualifiers' && pointer.includes('/bpfRawRules/')) {
    return ' (deny, audit or both; vArmor turns a rule without qualifiers into one that does nothing)';
  }
  return '';
}

function unknownFieldMessage(key: string, known: readonly string[]): string {
  const hint = FIELD_HINTS.get(key);
  if (hint && known.includes('egress')) return hint;
  const suggestion = suggest(key, known);
  if (suggestion) return `unknown field ${JSON.stringify(key)}; did you mean ${JSON.stringify(suggestion)}?`;
  if (known.length > 0) return `unknown field ${JSON.stringify(key)}; allowed here: ${known.join(', ')}`;
  return `unknown field ${JSON.stringify(key)}`;
}

/** The nearest candidate when it is close enough to be a typo (case differences always are). */
function suggest(word: string, candidates: readonly string[]): string | undefined {
  if (candidates.length === 0) return undefined;
  const sameCase = candidates.find((candidate) => candidate.toLowerCase() === word.toLowerCase());
  if (sameCase) return sameCase;
  const best = closest(word, [...candidates]);
  return distance(word, best) <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function sizeProblem(
  origin: string,
  direction: 'small' | 'big',
  bound: number,
  inclusive: boolean,
  field: string,
  input: unknown,
): [string, string] {
  const limitWord = direction === 'small' ? 'minimum' : 'maximum';
  if (origin === 'array' || origin === 'set') {
    const count = Array.isArray(input) ? input.length : undefined;
    if (direction === 'small' && bound === 1) return ['constraint', `${field} must list at least one item`];
    const got = count === undefined ? '' : ` (it has ${count})`;
    return ['constraint', `${field} must have ${direction === 'small' ? 'at least' : 'at most'} ${bound} items${got}`];
  }
  if (origin === 'string') {
    if (direction === 'small' && bound === 1) return ['invalid-value', `${field} must not be empty`];
    return ['invalid-value', `${field} must be ${direction === 'small' ? 'at least' : 'at most'} ${bound} characters`];
  }
  const relation = direction === 'small' ? (inclusive ? 'less than' : 'at most') : inclusive ? 'greater than' : 'at least';
  const shown = typeof input === 'number' ? String(input) : describeValue(input);
  const bounds = inclusive ? `the ${limitWord} ${bound}` : `${bound} (it must be ${direction === 'small' ? 'above' : 'below'})`;
  return ['invalid-value', `${field} ${shown} is ${relation} ${bounds}`];
}

function formatProblem(issue: Extract<Issue, { code: 'invalid_format' }>): string {
  if (issue.format === 'regex' && 'pattern' in issue && typeof issue.pattern === 'string') {
    return `does not match ${issue.pattern}`;
  }
  return `is not a valid ${issue.format}`;
}

function fieldName(path: readonly Segment[]): string {
  for (let i = path.length - 1; i >= 0; i--) {
    const segment = path[i];
    if (typeof segment === 'string') return i === path.length - 1 ? segment : `${segment}[${path.slice(i + 1).join('][')}]`;
  }
  return 'the document';
}

function describeExpected(expected: string): string {
  switch (expected) {
    case 'int':
      return 'an integer';
    case 'object':
      return 'a mapping';
    case 'array':
      return 'a list';
    case 'string':
      return 'a string';
    case 'number':
    case 'bigint':
      // A bigint is how an integer past 2^53 arrives from YAML or JSON: a number to the user.
      return 'a number';
    case 'boolean':
      return 'true or false';
    default:
      return `a${/^[aeiou]/.test(expected) ? 'n' : ''} ${expected}`;
  }
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(shortened(value));
  if (typeof value === 'bigint') return `number ${shortened(String(value))}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  return typeof value;
}

function shortened(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function isEchoable(value: unknown): boolean {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}
