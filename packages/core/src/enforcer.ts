import { z } from 'zod';

/** The four enforcers armorkit compiles policies for, in vArmor's spelling. */
export const ENFORCERS = ['AppArmor', 'BPF', 'Seccomp', 'NetworkProxy'] as const;
export const enforcerSchema = z.enum(ENFORCERS);
export type Enforcer = z.infer<typeof enforcerSchema>;

const byLowerName = new Map(ENFORCERS.map((name) => [name.toLowerCase(), name] as const));

/** Lower-case id used in file names, CLI flags and HookMap keys (`apparmor`, `bpf`, `seccomp`, `networkproxy`). */
export function enforcerId(enforcer: Enforcer): string {
  return enforcer.toLowerCase();
}

/** Accepts `apparmor`, `AppArmor`, `bpf`, ... Returns undefined for anything else. */
export function enforcerFromId(id: string): Enforcer | undefined {
  return byLowerName.get(id.toLowerCase());
}

/** The enforcer names longest first, so `networkproxy` is not cut by a shorter match (built once: every policy's parse splits). */
const LONGEST_FIRST = [...ENFORCERS].sort((a, b) => b.length - a.length).map((name) => ({ name, lower: name.toLowerCase() }));

/**
 * Splits vArmor's `spec.policy.enforcer` string (`AppArmorBPFSeccomp`, `NetworkProxyBPF`, ...) into enforcers.
 * vArmor matches substrings, so `fooAppArmor` would pass there; we require the string to be made only of enforcer
 * names, each at most once, and return the unparsed rest so the caller can report it.
 */
export function splitEnforcerString(value: string): { enforcers: Enforcer[]; rest: string; duplicates: Enforcer[] } {
  let rest = value.toLowerCase();
  const found: Enforcer[] = [];
  const duplicates: Enforcer[] = [];
  let progressed = true;
  while (rest.length > 0 && progressed) {
    progressed = false;
    for (const { name, lower } of LONGEST_FIRST) {
      if (rest.startsWith(lower)) {
        (found.includes(name) ? duplicates : found).push(name);
        rest = rest.slice(name.length);
        progressed = true;
        break;
      }
    }
  }
  return { enforcers: ENFORCERS.filter((e) => found.includes(e)), rest, duplicates };
}
