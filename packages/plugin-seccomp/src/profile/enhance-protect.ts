import type { LinuxSeccomp, LinuxSeccompArg, LinuxSyscall, SeccompAction } from '@armorkit/core/schema';
import type { PlannedRule, SeccompFragment } from '@armorkit/core';
import { sameArg } from './same-arg.js';

interface Entry {
  key: string;
  syscall: LinuxSyscall;
}

const SECTION_ORDER = { hardening: 0, vulMitigation: 1, attackProtection: 2 } as const;

function addArgs(syscall: LinuxSyscall, args: readonly LinuxSeccompArg[]): void {
  const existing = syscall.args ?? [];
  for (const arg of args) if (!existing.some((have) => sameArg(have, arg))) existing.push(arg);
  if (existing.length > 0) syscall.args = existing;
}

/**
 * Built-in rules accumulate into one entry per key (vArmor's map): created if absent, arguments appended otherwise
 * (`ifAbsent` entries only when absent). Rules are applied hardening → vulnerability mitigation → attack protection.
 */
function builtInEntries(rules: readonly PlannedRule[], action: SeccompAction): Map<string, Entry> {
  const entries = new Map<string, Entry>();
  const ordered = [...rules].sort((a, b) => SECTION_ORDER[a.rule.meta.section] - SECTION_ORDER[b.rule.meta.section]);
  for (const planned of ordered) {
    const fragment = planned.rule.fragments.seccomp as SeccompFragment | undefined;
    for (const item of fragment?.syscalls ?? []) {
      const entry = entries.get(item.key);
      if (entry) {
        if (!item.ifAbsent) addArgs(entry.syscall, item.args);
        continue;
      }
      const syscall: LinuxSyscall = { names: [...item.names], action };
      if (item.errnoRet !== undefined && action === 'SCMP_ACT_ERRNO') syscall.errnoRet = item.errnoRet;
      addArgs(syscall, item.args);
      entries.set(item.key, { key: item.key, syscall });
    }
  }
  return entries;
}

/**
 * Raw rules merged into the built-in entries by vArmor's rules (reference §2.8), one syscall name at a time:
 * same key, action and errnoRet → a raw rule without args blocks the whole syscall (added as its own entry);
 * raw args on a built-in entry without args are redundant (dropped); otherwise the raw args are appended.
 * Any other raw rule becomes its own entry. Output order: built-ins in rule order, then raw rules in policy order.
 */
export function mergeRawRules(entries: Map<string, Entry>, rawRules: readonly LinuxSyscall[]): LinuxSyscall[] {
  const raw: LinuxSyscall[] = [];
  for (const rule of rawRules) {
    for (const name of rule.names) {
      const entry = entries.get(name)?.syscall;
      const rawArgs = rule.args ?? [];
      if (entry && entry.action === rule.action && entry.errnoRet === rule.errnoRet) {
        const builtInArgs = entry.args ?? [];
        if (rawArgs.length === 0 && builtInArgs.length > 0) raw.push(copy(rule, name));
        else if (rawArgs.length > 0 && builtInArgs.length === 0) continue;
        else addArgs(entry, rawArgs);
        continue;
      }
      raw.push(copy(rule, name));
    }
  }
  return [...[...entries.values()].map((e) => e.syscall), ...raw];
}

function copy(rule: LinuxSyscall, name: string): LinuxSyscall {
  const syscall: LinuxSyscall = { names: [name], action: rule.action };
  if (rule.errnoRet !== undefined) syscall.errnoRet = rule.errnoRet;
  if (rule.args && rule.args.length > 0) syscall.args = rule.args.map((arg) => ({ ...arg }));
  return syscall;
}

/** EnhanceProtect: an allow-all filter plus the built-in rules' syscalls and the raw rules. */
export function enhanceProtectProfile(
  rules: readonly PlannedRule[],
  rawRules: readonly LinuxSyscall[],
  violation: { action: SeccompAction; logDenials: boolean } | undefined,
): LinuxSeccomp {
  const builtIn = violation ? builtInEntries(rules, violation.action) : new Map<string, Entry>();
  const syscalls = mergeRawRules(builtIn, rawRules).filter((syscall) => syscall.action !== 'SCMP_ACT_ALLOW');
  const profile: LinuxSeccomp = { defaultAction: 'SCMP_ACT_ALLOW' };
  if (violation?.logDenials && syscalls.some((s) => s.action === 'SCMP_ACT_ERRNO')) profile.flags = ['SECCOMP_FILTER_FLAG_LOG'];
  if (syscalls.length > 0) profile.syscalls = syscalls;
  return profile;
}
