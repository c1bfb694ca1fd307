import { type PolicyError, type Result, fail, ok, parseYamlStream } from '@armorkit/core';
import { parseCidr, parseIp } from '@armorkit/core/address';
import { z } from 'zod';
import { decisionTableSchema } from '../decision/table.js';
import { headerValueProblem, mutationHeaderProblem, normalizeHostPattern } from './values.js';

// What `armorkit proxy --config FILE` reads: everything the proxy needs, and nothing it would have to look up.

const portNumber = z.number().int().min(1).max(65535);

const issue = (ctx: z.RefinementCtx, message: string, code = 'invalid-value') => ctx.addIssue({ code: 'custom', message, params: { code } });

/** A MITM target as vArmor takes it: a DNS name or `*.` wildcard, an IP, or a CIDR of one address (/32 or /128). */
export function mitmDomainProblem(text: string): string | undefined {
  if (text.includes('/')) {
    const parsed = parseCidr(text);
    if ('problem' in parsed) return `mitm domain ${JSON.stringify(text)} is not a CIDR: ${parsed.problem}`;
    return parsed.prefixLength === parsed.address.bitLength
      ? undefined
      : `mitm domain ${JSON.stringify(text)} is wider than one address; TLS interception takes /32 or /128 CIDRs only (vArmor refuses the same)`;
  }
  const host = normalizeHostPattern(text);
  if (host === undefined || host === '*') return `mitm domain ${JSON.stringify(text)} is not a DNS name, a "*.suffix" wildcard or an IP address`;
  return undefined;
}

/** A Kubernetes Secret reference: a DNS-subdomain name and a key of `[-._a-zA-Z0-9]` (never `.` or `..`). */
export const secretRefSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, 'a Secret name is a lower-case DNS subdomain'),
  key: z
    .string()
    .regex(/^[-._a-zA-Z0-9]{1,253}$/, 'a Secret key holds only letters, digits, "-", "_" and "."')
    .refine((key) => key !== '.' && key !== '..', 'a Secret key cannot be "." or ".."'),
});
export type SecretRef = z.infer<typeof secretRefSchema>;

const headerName = z.string().superRefine((name, ctx) => {
  const problem = mutationHeaderProblem(name);
  if (problem) issue(ctx, problem);
});
const headerValue = z.string().superRefine((value, ctx) => {
  const problem = headerValueProblem(value);
  if (problem) issue(ctx, problem);
});

/** A header set on every request to a MITM domain: a value, or a Secret the caller resolves before the proxy starts. */
export const headerSettingSchema = z.union([
  z.strictObject({ name: headerName, value: headerValue }),
  z.strictObject({ name: headerName, secretRef: secretRefSchema }),
]);
export type HeaderSetting = z.infer<typeof headerSettingSchema>;

const mitmDomain = z.string().superRefine((domain, ctx) => {
  const problem = mitmDomainProblem(domain);
  if (problem) issue(ctx, problem);
});

const absolutePath = z.string().min(1).startsWith('/', 'an absolute path');

/** The CA whose leaves the proxy presents to clients (PEM files); the pod's TLS volume by default. */
export const mitmCaFilesSchema = z.strictObject({ certificateFile: absolutePath, keyFile: absolutePath });

export const mitmSettingsSchema = z
  .strictObject({
    domains: z.array(mitmDomain).min(1),
    headerMutations: z.array(z.strictObject({ domain: mitmDomain, headers: z.array(headerSettingSchema).min(1) })),
    /** Default: `/etc/armorkit/networkproxy-private/tls/ca.crt` and `ca.key`, the proxy's copy of the Secret's CA in a pod. */
    ca: mitmCaFilesSchema.optional(),
    /** PEM files of CAs trusted for upstream servers besides the system's (private CAs, tests). */
    upstreamCaFiles: z.array(absolutePath).optional(),
  })
  .superRefine((mitm, ctx) => {
    mitm.headerMutations.forEach((mutation, index) => {
      if (!mitm.domains.includes(mutation.domain)) {
        ctx.addIssue({ code: 'custom', path: ['headerMutations', index, 'domain'], message: `domain ${JSON.stringify(mutation.domain)} is not one of mitm.domains`, params: { code: 'constraint' } });
      }
    });
  });
export type MitmSettings = z.infer<typeof mitmSettingsSchema>;

export const auditSettingsSchema = z.strictObject({
  /** The profile events are reported for (the policy's profile name). */
  profileName: z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'a profile name is a lower-case DNS-style name'),
  /** Where ViolationEvents go: one JSON line each. */
  events: z.union([z.strictObject({ to: z.literal('stderr') }), z.strictObject({ to: z.literal('file'), path: z.string().min(1).startsWith('/') })]),
});
export type AuditSettings = z.infer<typeof auditSettingsSchema>;

export const spoofingProtectionSchema = z.strictObject({
  /** An allow granted by a name (SNI, Host) holds only when the destination is an address the name resolves to. */
  enabled: z.boolean(),
  /** The longest time a resolved address is trusted, whatever the DNS TTL says. */
  maxCacheSeconds: z.number().int().min(0).max(3600),
});
export type SpoofingProtection = z.infer<typeof spoofingProtectionSchema>;

/** An address the listener binds: an IP literal (a name would be resolved where the sockets are opened). */
const listenAddress = z.string().superRefine((text, ctx) => {
  const parsed = parseIp(text);
  if ('problem' in parsed) issue(ctx, `listen address ${JSON.stringify(text)} is not an IP address: ${parsed.problem}`);
});

export const PROXY_CONFIG_VERSION = 1;

export const proxyConfigSchema = z
  .strictObject({
    version: z.literal(PROXY_CONFIG_VERSION),
    proxyPort: portNumber,
    proxyAdminPort: portNumber,
    /** The proxy runs as this UID; the capture rules let its own connections through. */
    proxyUID: z.number().int().min(0).max(4294967294),
    decisions: decisionTableSchema,
    spoofingProtection: spoofingProtectionSchema,
    audit: auditSettingsSchema,
    mitm: mitmSettingsSchema.optional(),
    /**
     * The addresses proxyPort listens on; absent: 127.0.0.1 and ::1, where REDIRECT delivers locally generated
     * connections. Another address (a node-wide proxy fed by PREROUTING) must be said here.
     */
    listen: z.array(listenAddress).min(1).optional(),
  })
  .superRefine((config, ctx) => {
    if (config.proxyPort === config.proxyAdminPort) {
      ctx.addIssue({ code: 'custom', path: ['proxyAdminPort'], message: `proxyPort and proxyAdminPort are both ${config.proxyPort}`, params: { code: 'constraint' } });
    }
  });
export type ProxyConfig = z.infer<typeof proxyConfigSchema>;

function pointerOf(path: readonly PropertyKey[]): string {
  return path.map((segment) => `/${String(segment).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/** Whether the value has a member at `path` (zod's issues do not carry the input). */
function present(value: unknown, path: readonly PropertyKey[]): boolean {
  let current = value;
  for (const segment of path) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, segment)) return false;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current !== undefined;
}

function issueCode(issue: z.core.$ZodIssue, value: unknown): string {
  if (issue.code === 'custom') {
    const code = (issue.params as { code?: unknown } | undefined)?.code;
    return typeof code === 'string' ? code : 'invalid-value';
  }
  if (issue.code === 'invalid_type') return present(value, issue.path) ? 'invalid-type' : 'required';
  return 'invalid-value';
}

/** The problems of a proxy configuration value, each with the JSON pointer of the field. */
export function proxyConfigProblems(value: unknown): PolicyError[] {
  const parsed = proxyConfigSchema.safeParse(value);
  if (parsed.success) return [];
  return parsed.error.issues.flatMap((problem) => {
    if (problem.code === 'unrecognized_keys') {
      return problem.keys.map((key) => ({ code: 'unknown-field', pointer: pointerOf([...problem.path, key]), message: `unknown field ${JSON.stringify(key)}` }));
    }
    return [{ code: issueCode(problem, value), pointer: pointerOf(problem.path), message: problem.message }];
  });
}

/** A proxy configuration file (JSON) → the configuration, or every problem with its pointer and line:column. */
export function parseProxyConfig(text: string, file = 'proxy config'): Result<ProxyConfig> {
  const stream = parseYamlStream(text, file);
  if (stream.errors.length > 0) return fail(stream.errors);
  const [document, ...others] = stream.documents;
  if (!document || others.length > 0) return fail([{ code: 'invalid-value', pointer: '', message: `${file} must hold exactly one JSON document`, location: { file } }]);
  const parsed = proxyConfigSchema.safeParse(document.data);
  if (parsed.success) return ok(parsed.data);
  return fail(
    proxyConfigProblems(document.data).map((error) => {
      const position = error.code === 'unknown-field' ? document.locateKey(error.pointer) : document.locate(error.pointer);
      return { ...error, location: { file, ...(position ?? {}) } };
    }),
  );
}

/** The configuration as the file holds it: keys in schema order, 2-space indent, a final newline. Same input, same bytes. */
export function formatProxyConfig(config: ProxyConfig): string {
  return `${JSON.stringify(proxyConfigSchema.parse(config), null, 2)}\n`;
}
