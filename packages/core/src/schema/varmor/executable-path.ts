import { z } from 'zod';

/**
 * An executable a rule group is confined to (`targets`). It is written into the AppArmor profile as an exec rule
 * (`<path> cx -> child_0,`), so it must be one absolute path and nothing more: no whitespace, commas, braces, quotes,
 * comments, escapes, arrows or control characters, which could end the rule and start another.
 */
export const executablePathSchema = z
  .string()
  .min(2)
  .max(4095)
  // `>` is not allowed, so `->` cannot appear either.
  .regex(/^\/[A-Za-z0-9._+@%=:~/*?-]*$/, 'a target is an absolute executable path such as /usr/bin/bash (letters, digits, . _ - + @ % = : ~ / and the globs * ?)');
