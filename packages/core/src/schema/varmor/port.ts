import { z } from 'zod';
import { asNumber, withCheck } from './check.js';

const portNumber = z.number().int().min(1).max(65535);

/** A port, or the inclusive range port..endPort. */
export const portSchema = withCheck(
  z.strictObject({
    port: portNumber,
    endPort: portNumber.optional(),
  }),
  (range, report) => {
    const port = asNumber(range.port);
    const endPort = asNumber(range.endPort);
    if (port !== undefined && endPort !== undefined && endPort < port) {
      report(['endPort'], 'constraint', `endPort ${endPort} is less than port ${port}`);
    }
  },
);
export type Port = z.infer<typeof portSchema>;
