/**
 * What a path component (or a part of one) holds when it was made up at run time, so that a model recorded once
 * matches the next run: vArmor sends each component to a Python service (stringlifier) for this; these are our own
 * rules, tuned on test/model/paths.table.tsv. `undefined`: a name someone chose (`nginx.conf`, `python3.11`, `x86_64`).
 */
export type RandomKind = 'numeric' | 'uuid' | 'ip' | 'jwt' | 'random';

const NUMERIC = /^\d+$/;
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}(:\d{1,5})?$/;
// At least two groups and one `::` or seven colons: `fe80::1`, `2001:db8:0:0:0:0:0:1` (not `a:b`).
const IPV6 = /^(?=.*:.*:)(?=.*(::|(:[0-9a-f]{1,4}){7}))[0-9a-f:]{3,39}(%[\w.]+)?$/i;
// header.payload.signature, base64url; a JSON header always starts `{"` = `eyJ`.
const JWT = /^eyJ[\w-]+\.eyJ[\w-]+\.[\w-]*$/;
const HEX = /^[0-9a-f]+$/i;
const ALNUM = /^[A-Za-z0-9]+$/;

/** The kind of a whole component, or undefined when it looks chosen. */
export function classifyComponent(text: string): RandomKind | undefined {
  if (text.length === 0) return undefined;
  if (NUMERIC.test(text)) return 'numeric';
  if (UUID.test(text)) return 'uuid';
  if (IPV4.test(text) || IPV6.test(text)) return 'ip';
  if (JWT.test(text)) return 'jwt';
  return randomToken(text) ? 'random' : undefined;
}

/**
 * A run of letters and digits nobody would type: hex of 8+ with both digits and letters (ids, hashes), or 8+
 * characters mixing classes the way random generators do (several digits among letters, or upper and lower case
 * alternating without a word's shape). Short or word-like tokens (`python3`, `lib64`, `sha256sum`, `utf8`) are kept.
 */
export function randomToken(token: string): boolean {
  if (token.length < 8 || !ALNUM.test(token)) return false;
  const digits = countMatches(token, /\d/g);
  const letters = token.length - digits;
  if (HEX.test(token)) return digits >= 2 && letters >= 1 && (token.length >= 12 || digits >= 3);
  // No digits: only case flipping at random (`aZkQpLmX`), not words joined in CamelCase (`CamelCaseModule`).
  if (digits === 0) return caseChanges(token) >= Math.max(4, token.length * 0.4);
  if (letters === 0) return true;
  // Letters and digits interleaved: `k3j9x2a8`; a word with a number at its end (`release2024`) changes class once.
  return classChanges(token) >= 3 && digits >= 2;
}

function countMatches(text: string, pattern: RegExp): number {
  return text.match(pattern)?.length ?? 0;
}

/** Lower→upper or upper→lower transitions after the first character (`CamelCase` has 1, `aZ3kQpLm` has 4). */
function caseChanges(token: string): number {
  let changes = 0;
  for (let i = 2; i < token.length; i++) {
    const before = token[i - 1]!;
    const now = token[i]!;
    const upperBefore = before >= 'A' && before <= 'Z';
    const upperNow = now >= 'A' && now <= 'Z';
    if (upperBefore !== upperNow) changes++;
  }
  return changes;
}

/** Letter↔digit transitions. */
function classChanges(token: string): number {
  let changes = 0;
  for (let i = 1; i < token.length; i++) {
    const digitBefore = token[i - 1]! >= '0' && token[i - 1]! <= '9';
    const digitNow = token[i]! >= '0' && token[i]! <= '9';
    if (digitBefore !== digitNow) changes++;
  }
  return changes;
}

const UUID_INSIDE = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const JWT_INSIDE = /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]*/g;

// Parts of a component: `session-9f8a7c6d5e4b.lock` → `session`, `9f8a7c6d5e4b`, `lock`.
const SEPARATORS = /([-_.+:@=,~])/;

/**
 * The component with what was made up replaced by `*`: the whole component when it is a number, UUID, address, JWT
 * or random string; else each random part between separators (`session-*.lock`); else the component itself.
 */
export function generalizeComponent(component: string): string {
  if (classifyComponent(component) !== undefined) return '*';
  // UUIDs and JWTs hold separators themselves: replaced before the component is split.
  const embedded = component.replace(UUID_INSIDE, '*').replace(JWT_INSIDE, '*');
  if (!SEPARATORS.test(embedded)) return embedded;
  const parts = embedded.split(SEPARATORS);
  let changed = embedded !== component;
  for (let i = 0; i < parts.length; i += 2) {
    const part = parts[i]!;
    // Short numbers inside a name are versions (`python3.11`, `libc-2.36`), not run-time values; a name that starts
    // with one is a sequence number (`0.log`, `3.sock`).
    const kind = classifyComponent(part);
    if (kind === 'uuid' || kind === 'random' || kind === 'jwt' || (kind === 'numeric' && (part.length >= 6 || i === 0))) {
      parts[i] = '*';
      changed = true;
    }
  }
  if (!changed) return component;
  // `*-*` → `*`: adjacent wildcards say no more than one.
  return parts.join('').replace(/\*(?:[-_.+:@=,~]\*)+/g, '*');
}
