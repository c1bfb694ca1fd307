import { z } from 'zod';
import { executablePathSchema } from './executable-path.js';

/** Lines that need no trailing comma: blank lines, comments and `#include`, `include`, and block braces. */
function needsComma(line: string): boolean {
  const text = line.replace(/\s+#.*$/, '').trim();
  if (text === '' || text.startsWith('#')) return false;
  if (/^include(\s+if\s+exists)?\s/.test(text)) return false;
  return !text.endsWith('{') && !text.endsWith('}');
}

/** Raw AppArmor rules: every rule line must end with a comma, as apparmor_parser requires. */
export const appArmorRulesTextSchema = z
  .string()
  .min(1)
  .superRefine((rules, ctx) => {
    rules.split('\n').forEach((line, index) => {
      if (needsComma(line) && !line.replace(/\s+#.*$/, '').trimEnd().endsWith(',')) {
        ctx.addIssue({
          code: 'custom',
          message: `line ${index + 1} ${JSON.stringify(line.trim())} does not end with a comma; every AppArmor rule must`,
          params: { code: 'constraint' },
        });
      }
    });
  });

/** Raw AppArmor rules, for the whole container or only for some executables (`targets`, full paths). */
export const appArmorRawRuleSchema = z.strictObject({
  rules: appArmorRulesTextSchema,
  targets: z.array(executablePathSchema).optional(),
});
export type AppArmorRawRule = z.infer<typeof appArmorRawRuleSchema>;
