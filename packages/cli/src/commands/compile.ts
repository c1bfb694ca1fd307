import { type Artifact, checkPolicies, type Engine, type Enforcer, enforcerFromId } from '@armorkit/core';
import { EXIT, UsageError, type CliIO } from '../io.js';
import { readInputs } from '../inputs.js';
import { formatProblems, readBehaviorModels } from '../pipeline.js';
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

  const outcome = await checkPolicies(engine, files, {
    models: readBehaviorModels(options.model, io.cwd),
    uniqueProfileNames: true,
    ...(only ? { enforcers: only } : {}),
    verify: options.verify !== false,
  });
  const { errors, warnings } = outcome;
  const artifacts = outcome.checked.flatMap((policy) => policy.artifacts);
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
    const write = writeFilesAtomically(
      options.out,
      artifacts.flatMap((artifact) =>
        artifact.files.map((file) => ({ name: `${artifact.profileName}.${file.suffix}`, content: file.content })),
      ),
      { cwd: io.cwd },
    );
    if (!write.ok) throw new UsageError(`--out: ${write.failure.path}: ${write.failure.reason}; nothing was written`);
    if (format === 'json') io.out(JSON.stringify({ written: write.written }, null, 2));
    else for (const path of write.written) io.out(`wrote ${path}`);
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
