import type { Engine } from '@armorkit/core';
import { EXIT, type CliIO } from '../io.js';
import { readInputs } from '../inputs.js';
import { formatProblems, resolveFiles } from '../pipeline.js';

/** `armorkit validate <files|dirs|->`: 0 when every policy is valid, 1 when any is not, 2 on usage errors. */
export function validateCommand(engine: Engine, paths: readonly string[], io: CliIO): number {
  const { files, problems } = readInputs(paths, io.cwd);
  for (const problem of problems) io.err(problem);
  if (problems.length > 0 && files.length === 0) return EXIT.usage;
  const outcome = resolveFiles(engine, files);
  for (const line of formatProblems(outcome.errors)) io.err(line);
  for (const line of formatProblems(outcome.warnings, 'warning')) io.err(line);
  const policies = outcome.resolved.length;
  const summary = `${files.length} file(s), ${policies} valid polic${policies === 1 ? 'y' : 'ies'}, ${outcome.errors.length} error(s), ${outcome.warnings.length} warning(s)`;
  io.out(summary);
  if (problems.length > 0) return EXIT.usage;
  return outcome.errors.length > 0 ? EXIT.invalid : EXIT.ok;
}
