import { checkPolicies, type Engine } from '@armorkit/core';
import { EXIT, type CliIO } from '../io.js';
import { type InputFile, readInputs } from '../inputs.js';
import { formatProblems, readBehaviorModels } from '../pipeline.js';

export interface ValidateOptions {
  verify?: boolean;
  model?: string[];
}

/**
 * `armorkit validate <files|dirs|->`: every check `compile` makes (checkPolicies), without writing anything.
 * 0 when every policy is valid, 1 when any is not, 2 on usage errors.
 */
export async function validateCommand(
  engineFor: (files: readonly InputFile[]) => Promise<Engine>,
  paths: readonly string[],
  options: ValidateOptions,
  io: CliIO,
): Promise<number> {
  const { files, problems } = readInputs(paths, io.cwd);
  // Made for the files read, so that only the plugins their policies need are imported (docs/cli.md#start-up).
  const engine = await engineFor(files);
  for (const problem of problems) io.err(problem);
  if (problems.length > 0 && files.length === 0) return EXIT.usage;
  const outcome = await checkPolicies(engine, files, { models: readBehaviorModels(options.model, io.cwd), verify: options.verify !== false });
  for (const line of formatProblems(outcome.errors)) io.err(line);
  for (const line of formatProblems(outcome.warnings, 'warning')) io.err(line);
  const valid = outcome.checked.filter((policy) => policy.errors.length === 0).length;
  io.out(
    `${files.length} file(s), ${valid} valid polic${valid === 1 ? 'y' : 'ies'}, ${outcome.errors.length} error(s), ${outcome.warnings.length} warning(s)`,
  );
  if (problems.length > 0) return EXIT.usage;
  return outcome.errors.length > 0 ? EXIT.invalid : EXIT.ok;
}
