import type { LinuxSyscall } from '@armorkit/core/schema';
import { type PolicyError, policyError } from '@armorkit/core';
import { isKnownSyscallName, suggestSyscall } from '../syscalls/lookup.js';

/** Unknown syscall names are errors with the nearest names (runc and crun silently ignore them). */
export function checkSyscallNames(rules: readonly LinuxSyscall[], pointer: string): PolicyError[] {
  const errors: PolicyError[] = [];
  rules.forEach((rule, i) =>
    rule.names.forEach((name, j) => {
      if (isKnownSyscallName(name)) return;
      const suggestions = suggestSyscall(name);
      const hint = suggestions.length > 0 ? `; did you mean ${suggestions.map((s) => `"${s}"`).join(' or ')}?` : '';
      errors.push(policyError('unknown-syscall', `${pointer}/${i}/names/${j}`, `unknown syscall "${name}"${hint}`, name));
    }),
  );
  return errors;
}

/** The runtime spec: errnoRet only with actions that return an errno. */
export function checkErrnoRet(rules: readonly LinuxSyscall[], pointer: string): PolicyError[] {
  return rules.flatMap((rule, i) =>
    rule.errnoRet !== undefined && rule.action !== 'SCMP_ACT_ERRNO' && rule.action !== 'SCMP_ACT_TRACE'
      ? [
          policyError(
            'errno-without-errno-action',
            `${pointer}/${i}/errnoRet`,
            `errnoRet ${rule.errnoRet} needs action SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not ${rule.action}`,
            rule.errnoRet,
          ),
        ]
      : [],
  );
}
