import { z } from 'zod';

// vArmor renders proxy strings into Envoy YAML; its webhook rejects what could break out of a quoted scalar.
// eslint-disable-next-line no-control-regex
const YAML_UNSAFE = /[\u0000-\u001f\u007f\\"\u0085\u2028\u2029]/u;

function describeCharacter(char: string): string {
  if (char === '\\') return 'a backslash';
  if (char === '"') return 'a double quote';
  return `the control character U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** A non-empty string free of characters that cannot be carried safely into the proxy configuration. */
export function yamlSafeString(what: string) {
  return z
    .string()
    .min(1)
    .superRefine((value, ctx) => {
      const match = YAML_UNSAFE.exec(value);
      if (match) {
        ctx.addIssue({
          code: 'custom',
          message: `${what} ${JSON.stringify(value)} contains ${describeCharacter(match[0])}, which the proxy configuration cannot carry`,
          params: { code: 'invalid-value' },
        });
      }
    });
}
