import { type Artifact, type Engine, type Enforcer, enforcerFromId, type Plan, type PolicyError } from '@armorkit/core';
import { EXIT, UsageError, type CliIO } from '../io.js';
import { readInputs } from '../inputs.js';
import { formatProblems, readBehaviorModels, resolveFiles } from '../pipeline.js';
import { writeFilesAtomically } from '../write-atomic.js';

export interface CompileOptions {
  enforcer?: string[];
  out?: string;
  format?: string;
  verify?: boolean;
  model?: string[];
}

export function parseEnforcers(values: readonly string[] | undefined): Enforcer[] | undefined {
  if (!values || values.length === 0) return undefined;
  return values.flatMap((value) => value.split(',')).map((value) => {
    const enforcer = enforcerFromId(value.trim());
    if (!enforcer) throw new UsageError(`--enforcer: unknown enforcer "${value}" (use apparmor, bpf, seccomp or networkproxy)`);
    return enforcer;
  });
}

function artifactJson(artifact: Artifact) {
  return {
    enforcer: artifact.enforcer,
    profileName: artifact.profileName,
    profileMode: artifact.profileMode,
    files: artifact.files.map((file) => ({ name: `${artifact.profileName}.${file.suffix}`, content: file.content })),
    data: artifact.data,
  };
}

/** `armorkit compile <file>`: every policy in the file through every (or the chosen) enforcer. */
export async function compileCommand(engine: Engine, paths: readonly string[], options: CompileOptions, io: CliIO): Promise<number> {
  const format = options.format ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`--format: expected text or json, got "${format}"`);
  const only = parseEnforcers(options.enforcer);
  const { files, problems } = readInputs(paths, io.cwd);
  if (problems.length > 0) throw new UsageError(problems.join('\n'));

  const outcome = resolveFiles(engine, files, { models: readBehaviorModels(options.model, io.cwd), uniqueProfileNames: true });
  const errors: PolicyError[] = [...outcome.errors];
  const warnings: PolicyError[] = [...outcome.warnings];
  const artifacts: Artifact[] = [];
  // Each artifact with its policy's source, so what the real tools report gets the file and line:column.
  const sources = new Map<Artifact, Plan['policy']['source']>();
  for (const { plan } of outcome.resolved) {
    const chosen = only?.filter((enforcer) => plan.enforcers[enforcer] !== undefined);
    const compiled = engine.compile(plan, chosen);
    errors.push(...compiled.errors);
    warnings.push(...compiled.warnings.filter((w) => !plan.warnings.includes(w)));
    artifacts.push(...compiled.artifacts);
    for (const artifact of compiled.artifacts) sources.set(artifact, plan.policy.source);
  }
  if (options.verify !== false && errors.length === 0) {
    for (const artifact of artifacts) errors.push(...(await engine.verify(artifact, sources.get(artifact))));
  }
  for (const line of formatProblems(warnings, 'warning')) io.err(line);
  if (errors.length > 0) {
    // Nothing is written when anything failed: a half-compiled policy is worse than none.
    for (const line of formatProblems(errors)) io.err(line);
    return EXIT.invalid;
  }
  if (artifacts.length === 0) {
    io.err('nothing to compile: no policy (or no policy using the chosen enforcers) in the input');
    return EXIT.invalid;
  }

  if (options.out) {
    const written = writeFilesAtomically(
      options.out,
      artifacts.flatMap((artifact) =>
        artifact.files.map((file) => ({ name: `${artifact.profileName}.${file.suffix}`, content: file.content })),
      ),
    );
    if (format === 'json') io.out(JSON.stringify({ written }, null, 2));
    else for (const path of written) io.out(`wrote ${path}`);
    return EXIT.ok;
  }
  if (format === 'json') {
    io.out(JSON.stringify(artifacts.map(artifactJson), bigintReplacer, 2));
  } else {
    for (const artifact of artifacts) {
      for (const file of artifact.files) {
        io.out(`### ${artifact.profileName}.${file.suffix} (${artifact.enforcer}, ${artifact.profileMode})`);
        io.out(file.content);
      }
    }
  }
  return EXIT.ok;
}

export function bigintReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
