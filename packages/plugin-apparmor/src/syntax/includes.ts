import type { Token } from './tokenize.js';

const NAME = /^[A-Za-z0-9_.\-/]+$/;

/**
 * An include may only name `<abstractions/NAME>` (or, where `allowed` says so, `<tunables/global>`): files the
 * node's AppArmor ships, found through the include search path, never a path of the policy author's choosing.
 */
export function checkInclude(include: Token, allowed: readonly ('abstractions' | 'tunables/global')[]): string | undefined {
  const target = include.value;
  const inner = /^<(.*)>$/.exec(target)?.[1];
  const expected = allowed.map((a) => (a === 'abstractions' ? '"<abstractions/...>"' : '"<tunables/global>"')).join(' or ');
  const refuse = `only ${expected} may be included, not ${target || 'nothing'}`;
  if (inner === undefined) return refuse;
  if (allowed.includes('tunables/global') && inner === 'tunables/global') return undefined;
  if (!allowed.includes('abstractions') || !inner.startsWith('abstractions/')) return refuse;
  const name = inner.slice('abstractions/'.length);
  if (!NAME.test(name) || name.split('/').some((part) => part === '' || part === '.' || part === '..') || name.includes('..')) return refuse;
  return undefined;
}
