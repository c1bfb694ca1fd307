import { policyJsonSchema } from '@armorkit/core/schema';
import { EXIT, type CliIO } from '../io.js';

/** `armorkit schema`: JSON Schema of VarmorPolicy / VarmorClusterPolicy, from the same zod schemas that validate. */
export function schemaCommand(io: CliIO): number {
  io.out(JSON.stringify(policyJsonSchema(), null, 2));
  return EXIT.ok;
}
