import { z } from 'zod';

export const BPF_QUALIFIERS = ['deny', 'audit'] as const;

/** `deny`, `audit` or both. vArmor turns an empty list into an inert rule, so at least one is required. */
export const bpfQualifiersSchema = z.array(z.enum(BPF_QUALIFIERS)).min(1);
export type BpfQualifier = (typeof BPF_QUALIFIERS)[number];
