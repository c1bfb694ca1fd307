/** Where a command writes; tests pass buffers, the binary passes the process streams. */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  cwd: string;
  /** Where the output of a command armorkit starts (`run`) goes; default: the process's own stdout and stderr, inherited. */
  commandOutput?: { stdout(chunk: string): void; stderr(chunk: string): void };
}

export const processIO: CliIO = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : text + '\n'),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : text + '\n'),
  cwd: process.cwd(),
};

/** Exit codes: 0 success, 1 the input has problems, 2 usage or environment errors. */
export const EXIT = { ok: 0, invalid: 1, usage: 2 } as const;

/** An error the user can act on; printed without a stack trace. */
export class UsageError extends Error {
  constructor(message: string, readonly exitCode: number = EXIT.usage) {
    super(message);
    this.name = 'UsageError';
  }
}
