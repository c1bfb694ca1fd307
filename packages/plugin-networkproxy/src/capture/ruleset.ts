// vArmor's capture rules (its init container's iptables script) as a tree of our own: every word printed comes from
// this module's vocabulary or from an integer checked here, never from a policy's text.

export type IpFamily = 4 | 6;

export interface CaptureSettings {
  proxyUID: number;
  proxyPort: number;
  proxyAdminPort: number;
}

export type Match =
  | { kind: 'protocol'; protocol: 'tcp' }
  | { kind: 'owner'; uid: number; negate: boolean }
  | { kind: 'destination'; network: string }
  | { kind: 'destination-port'; port: number };

export type Target = { kind: 'jump'; chain: string } | { kind: 'return' } | { kind: 'redirect'; toPort: number } | { kind: 'drop' };

export interface CaptureRule {
  table: 'nat' | 'filter';
  chain: string;
  matches: readonly Match[];
  target: Target;
}

export interface CaptureRuleset {
  family: IpFamily;
  /** Chains of our own, created before the rules and deleted after them. */
  chains: readonly { table: 'nat' | 'filter'; name: string }[];
  rules: readonly CaptureRule[];
}

export const OUTPUT_CHAIN = 'VARMOR_OUTPUT';
export const REDIRECT_CHAIN = 'VARMOR_REDIRECT';
const LOOPBACK: Record<IpFamily, string> = { 4: '127.0.0.0/8', 6: '::1/128' };

/** Why `settings` cannot be printed into rules, or undefined: ports 1..65535, a UID 0..2^32-2, two different ports. */
export function captureSettingsProblem(settings: CaptureSettings): string | undefined {
  const port = (value: number) => Number.isInteger(value) && value >= 1 && value <= 65535;
  if (!port(settings.proxyPort)) return `proxyPort ${settings.proxyPort} is not a port (1..65535)`;
  if (!port(settings.proxyAdminPort)) return `proxyAdminPort ${settings.proxyAdminPort} is not a port (1..65535)`;
  if (!Number.isInteger(settings.proxyUID) || settings.proxyUID < 0 || settings.proxyUID > 4294967294) return `proxyUID ${settings.proxyUID} is not a UID`;
  if (settings.proxyPort === settings.proxyAdminPort) return `proxyPort and proxyAdminPort are both ${settings.proxyPort}`;
  return undefined;
}

/**
 * The rules of one family: outbound TCP goes through VARMOR_OUTPUT, which lets the proxy's own UID and loopback
 * through and sends the rest to VARMOR_REDIRECT (REDIRECT to proxyPort); TCP to the admin port is dropped for every
 * UID but the proxy's. UDP, ICMP and the rest are not touched (vArmor's §4.2 script, rule for rule).
 */
export function captureRuleset(settings: CaptureSettings, family: IpFamily): CaptureRuleset {
  const problem = captureSettingsProblem(settings);
  if (problem) throw new RangeError(`capture rules: ${problem}`);
  const tcp: Match = { kind: 'protocol', protocol: 'tcp' };
  const proxy = (negate: boolean): Match => ({ kind: 'owner', uid: settings.proxyUID, negate });
  return {
    family,
    chains: [
      { table: 'nat', name: OUTPUT_CHAIN },
      { table: 'nat', name: REDIRECT_CHAIN },
    ],
    rules: [
      { table: 'nat', chain: 'OUTPUT', matches: [tcp], target: { kind: 'jump', chain: OUTPUT_CHAIN } },
      { table: 'nat', chain: OUTPUT_CHAIN, matches: [proxy(false)], target: { kind: 'return' } },
      { table: 'nat', chain: OUTPUT_CHAIN, matches: [{ kind: 'destination', network: LOOPBACK[family] }], target: { kind: 'return' } },
      { table: 'nat', chain: OUTPUT_CHAIN, matches: [tcp], target: { kind: 'jump', chain: REDIRECT_CHAIN } },
      { table: 'nat', chain: REDIRECT_CHAIN, matches: [tcp], target: { kind: 'redirect', toPort: settings.proxyPort } },
      { table: 'filter', chain: 'OUTPUT', matches: [tcp, { kind: 'destination-port', port: settings.proxyAdminPort }, proxy(true)], target: { kind: 'drop' } },
    ],
  };
}

function matchWords(match: Match): string[] {
  switch (match.kind) {
    case 'protocol':
      return ['-p', match.protocol];
    case 'owner':
      return ['-m', 'owner', ...(match.negate ? ['!'] : []), '--uid-owner', String(match.uid)];
    case 'destination':
      return ['-d', match.network];
    case 'destination-port':
      return ['--dport', String(match.port)];
  }
}

function targetWords(target: Target): string[] {
  switch (target.kind) {
    case 'jump':
      return ['-j', target.chain];
    case 'return':
      return ['-j', 'RETURN'];
    case 'redirect':
      return ['-j', 'REDIRECT', '--to-ports', String(target.toPort)];
    case 'drop':
      return ['-j', 'DROP'];
  }
}

/** A rule's words after the chain (`-p tcp -j VARMOR_OUTPUT`), each checked against the characters they may hold. */
export function ruleWords(rule: CaptureRule): string[] {
  const words = [...rule.matches.flatMap(matchWords), ...targetWords(rule.target)];
  for (const word of words) if (!/^[A-Za-z0-9_./:!-]+$/.test(word)) throw new RangeError(`capture rules: unexpected word ${JSON.stringify(word)}`);
  return words;
}

export const TABLES = ['nat', 'filter'] as const;
