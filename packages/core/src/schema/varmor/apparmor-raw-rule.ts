import { z } from 'zod';
import { executablePathSchema } from './executable-path.js';

/**
 * A line without its comment: `#` starts a comment at the start of a token (line start, after a blank or a comma),
 * never inside a quoted string or a path (`/tmp/a#b`). `#include` is a directive, kept.
 */
function withoutComment(line: string): string {
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"' && line[i - 1] !== '\\') quoted = !quoted;
    if (quoted || c !== '#') continue;
    const before = i === 0 ? ' ' : (line[i - 1] as string);
    if (/[\s,]/.test(before) && !line.startsWith('#include', i)) return line.slice(0, i);
  }
  return line;
}

/** Lines that need no trailing comma: blank lines, comments, includes, and block braces. */
function needsComma(code: string): boolean {
  const text = code.trim();
  if (text === '') return false;
  if (/^#?include(\s|$)/.test(text)) return false;
  return !text.endsWith('{') && !text.endsWith('}');
}

/**
 * Raw AppArmor rules must end with a comma, as apparmor_parser requires. Deliberately lenient: only the last
 * line that holds a rule is looked at (a rule may span lines); what a raw rule may contain is decided by the
 * AppArmor plugin's grammar (src/grammar/), which reads the statements and prints the profile from its own tree.
 */
export const appArmorRulesTextSchema = z
  .string()
  .min(1)
  .superRefine((rules, ctx) => {
    const lines = rules.split('\n');
    for (let index = lines.length - 1; index >= 0; index--) {
      const line = lines[index] ?? '';
      const code = withoutComment(line).trim();
      if (code === '') continue;
      if (needsComma(code) && !code.endsWith(',')) {
        ctx.addIssue({
          code: 'custom',
          message: `line ${index + 1} ${JSON.stringify(line.trim())} does not end with a comma; every AppArmor rule must`,
          params: { code: 'constraint' },
        });
      }
      return;
    }
  });

/** Raw AppArmor rules, for the whole container or only for some executables (`targets`, full paths). */
export const appArmorRawRuleSchema = z.strictObject({
  rules: appArmorRulesTextSchema,
  targets: z.array(executablePathSchema).optional(),
});
export type AppArmorRawRule = z.infer<typeof appArmorRawRuleSchema>;
