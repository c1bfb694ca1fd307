// Seeded generator of raw AppArmor rule texts and custom profiles for the differential fuzzer: valid statements of
// every form armorkit may accept, then mutated with what lexers disagree about (quotes, `\"`, backslashes, comments,
// braces, commas, `->`, look-alike and control characters, long tokens) and with payloads that would leave the
// profile if read as rules. Pure and dependency-free, so bench/fuzz-apparmor.mjs can load it as it is.

/** A small, fast, seedable PRNG (mulberry32): the same seed gives the same sequence of candidates. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }

  some<T>(items: readonly T[], max: number): T[] {
    const count = 1 + this.int(max);
    return Array.from({ length: count }, () => this.pick(items));
  }
}

const WORDS = ['a', 'x', 'etc', 'tmp', 'srv', 'data', 'foo', 'bar', 'usr', 'bin', 'proc', 'sys', 'ext4', 'p', 'child_1', 'unconfined'];
const QUALIFIER_SETS = ['', 'deny ', 'audit ', 'audit deny ', 'owner ', 'deny owner ', 'audit owner ', 'allow ', 'audit allow owner '];
const FILE_PERMS = ['r', 'w', 'rw', 'a', 'k', 'l', 'm', 'rwk', 'rm', 'ix', 'rix', 'mix', 'rwlk'];
/** Deny rules take no exec qualifier (apparmor_parser refuses `deny ... ix`). */
const DENY_PERMS = ['r', 'w', 'rw', 'a', 'k', 'l', 'm', 'rwk', 'rm', 'rwlk'];
const DENY_ONLY_PERMS = ['x', 'rx', 'wx'];
const TRANSITION_PERMS = ['px', 'Px', 'cx', 'Cx', 'ux', 'Ux', 'pix', 'PUx', 'cix'];
const CAPABILITIES = ['chown', 'dac_override', 'sys_admin', 'net_raw', 'sys_ptrace', 'setuid', 'kill', 'mknod'];
const NETWORK = ['', 'inet', 'inet stream', 'inet6 dgram', 'unix stream', 'netlink raw', 'inet tcp', 'packet', 'icmp', 'inet dgram udp'];
const FSTYPES = ['ext4', 'proc', 'tmpfs', 'overlay', 'sysfs', 'cgroup', 'bpf'];
/** Mount flags that combine with an fstype and each other. */
const MOUNT_FLAGS = ['ro', 'rw', 'nosuid', 'nodev', 'noexec', 'sync', 'noatime'];
const SIGNALS = ['kill', 'term', 'hup', 'int', 'usr1', 'stop', 'cont'];
/** Stock abstractions, among them some that bring exec transitions (opencl-nvidia: Px, ubuntu-email: Cx) and `../` tries. */
const ABSTRACTIONS = [
  'base', 'nameservice', 'bash', 'consoles', 'openssl', 'ssl_certs', 'ssl_keys', 'user-tmp', 'authentication', 'dbus-session', 'dbus-strict', 'fonts',
  'python', 'perl', 'mesa', 'private-files', 'samba', 'kerberosclient', 'php', 'audio', 'opencl-nvidia', 'ubuntu-email', 'ubuntu-console-browsers',
  'kde-open5', 'ubuntu-browsers', '../tunables/global', 'nope',
];

/** Texts that change the profile set or give a transition if apparmor_parser reads them as rules. */
export const PAYLOADS = [
  'change_profile -> unconfined,',
  'change_profile -> **,',
  '/** ux,',
  '/bin/sh Px,',
  '/** Cx -> evil,',
  '/usr/bin/* pix,',
  '^evil flags=(unconfined) { /** rwix, }',
  'hat evil { }',
  '}\nprofile p//child_9 flags=(unconfined) { /** rwix,',
  '} profile evil { /** ux,',
  'include if exists </tmp/evil>',
  '#include "/etc/apparmor.d/evil"',
  'set rlimit nproc <= 1,',
  '@{HOME}=/,',
  'alias / -> /tmp/,',
  'pivot_root -> evil,',
  'signal peer=unconfined,',
];

/** What lexers disagree about, inserted anywhere by mutations. */
const NASTY = [
  '\\"', '"', '\\', '\\\\', '#', '# "', '# ")', '#include <abstractions/base>', '{', '}', '{a,b}', ',', ',x', ' ,', '->', '(', ')', '\\(', '\\)',
  '=', '+=', '@{', '@{HOME}', '^', '!', '<', '>', '\n', '\r', '\r\n', '\t', ' ', '\u0000', '\uff0c', '\u2024', '\u00a0', '\u2028', '\u2029',
  '\u0085', '\u200b', '\ufeff', '\u0660', '\ud83d\ude00', '\u001f', '\u007f', '\\x2c', '\\054', '\\n', '\\ ', '"#"', '")"', '"(', ')"', '" "',
];

const word = (r: Random): string => r.pick(WORDS);

function path(r: Random): string {
  const parts = r.some(WORDS, 4);
  let text = `/${parts.join('/')}`;
  if (r.chance(0.2)) text += r.pick(['/**', '/*', '/', '{,.d}/**', '{a,b}', '[0-9]*', '?']);
  if (r.chance(0.08)) text = `@{${r.pick(['PROC', 'HOME', 'sys', 'run'])}}${text}`;
  if (r.chance(0.12)) return `"${text}${r.pick(['', ' with space', ' #x', ',y', '{c,d}'])}"`;
  return text;
}

function list(r: Random, items: readonly string[], separator = r.pick([', ', ',', ' ', ' , '])): string {
  return `(${r.some(items, 3).join(separator)})`;
}

function fileRule(r: Random): string {
  const qualifiers = r.pick(QUALIFIER_SETS);
  const deny = qualifiers.includes('deny');
  const perms = r.chance(0.04) ? r.pick(TRANSITION_PERMS) : deny ? r.pick(r.chance(0.3) ? DENY_ONLY_PERMS : DENY_PERMS) : r.pick(FILE_PERMS);
  if (r.chance(0.05)) return `${qualifiers}file,`;
  const lead = r.chance(0.15) ? 'file ' : '';
  return r.chance(0.2) ? `${qualifiers}${lead}${perms} ${path(r)},` : `${qualifiers}${lead}${path(r)} ${perms},`;
}

/** mount, remount and umount in the combinations apparmor_parser can encode (bind, move and propagation stand alone). */
function mountRule(r: Random): string {
  const qualifiers = r.pick(['deny ', 'audit deny ', '', 'audit ']);
  const options = (items: readonly string[]) => (r.chance(0.5) ? `options=${list(r, items)}` : `options in ${list(r, items)}`);
  const fstype = () => (r.chance(0.4) ? `fstype=${list(r, FSTYPES)}` : r.chance(0.5) ? `fstype in ${list(r, FSTYPES)}` : `fstype=${r.pick(FSTYPES)}`);
  const join = (parts: string[]) => parts.filter(Boolean).join(' ');
  switch (r.int(6)) {
    case 0:
      return `${qualifiers}mount ${join([r.chance(0.7) ? fstype() : '', r.chance(0.5) ? options(MOUNT_FLAGS) : '', r.chance(0.5) ? path(r) : '', r.chance(0.7) ? `-> ${path(r)}/` : ''])},`;
    case 1:
      return `${qualifiers}mount ${join([options([r.pick(['bind', 'rbind'])]), path(r), `-> ${path(r)}/`])},`;
    case 2:
      return `${qualifiers}mount ${join([options([r.pick(['private', 'rprivate', 'shared', 'slave', 'unbindable'])]), `-> ${path(r)}/`])},`;
    case 3:
      return `${qualifiers}remount ${join([r.chance(0.5) ? options(MOUNT_FLAGS) : '', path(r)])},`;
    case 4:
      return `${qualifiers}umount ${join([r.chance(0.3) ? fstype() : '', path(r)])},`;
    default:
      return `${qualifiers}${r.pick(['mount', 'umount', 'remount'])},`;
  }
}

function peerRule(r: Random): string {
  const qualifiers = r.pick(['', 'deny ', 'audit ', 'audit deny ']);
  switch (r.int(4)) {
    case 0:
      return `${qualifiers}signal ${r.chance(0.7) ? list(r, ['send', 'receive']) : r.pick(['send', 'receive', ''])} ${r.chance(0.6) ? `set=${list(r, SIGNALS)} ` : ''}peer=${word(r)},`;
    case 1:
      return `${qualifiers}ptrace ${r.chance(0.7) ? list(r, ['read', 'trace', 'readby', 'tracedby']) : r.pick(['read', 'trace'])} peer=${word(r)},`;
    case 2: {
      const type = r.chance(0.5) ? ` type=${r.pick(['stream', 'dgram', 'seqpacket'])}` : '';
      if (r.chance(0.3)) return `${qualifiers}unix ${list(r, ['create', 'bind', 'listen', 'getattr', 'setopt'])}${type}${r.chance(0.5) ? ` addr=@${word(r)}` : ''},`;
      const peer = r.chance(0.6) ? ` peer=(${r.chance(0.5) ? `label=${word(r)}` : `addr=@${word(r)}`}${r.chance(0.3) ? `, label=${word(r)}` : ''})` : '';
      return `${qualifiers}unix ${list(r, ['connect', 'send', 'receive'])}${type}${peer},`;
    }
    default: {
      const bus = `bus=${r.pick(['session', 'system'])}`;
      if (r.chance(0.15)) return `${qualifiers}dbus bind ${bus} name=org.${word(r)}.X,`;
      if (r.chance(0.1)) return `${qualifiers}dbus eavesdrop ${bus},`;
      const peer = r.chance(0.6) ? ` peer=(name=org.${word(r)}.X${r.chance(0.3) ? `, label=${word(r)}` : ''})` : '';
      return `${qualifiers}dbus ${r.chance(0.5) ? list(r, ['send', 'receive']) : r.pick(['send', 'receive'])} ${bus} path=/org/${word(r)} interface=org.${word(r)} member=${word(r)}${peer},`;
    }
  }
}

function otherRule(r: Random): string {
  switch (r.int(7)) {
    case 0:
      return `${r.pick(['', 'deny ', 'audit ', 'audit deny '])}capability ${r.some(CAPABILITIES, 3).join(' ')},`;
    case 1:
      return `${r.pick(['', 'deny ', 'audit deny '])}network ${r.pick(NETWORK)},`.replace(' ,', ',');
    case 2:
      return `${r.pick(['', 'deny ', 'audit deny '])}link ${r.chance(0.5) ? 'subset ' : ''}${path(r)} -> ${path(r)},`;
    case 3:
      return `${r.pick(['deny ', 'audit deny '])}change_profile ${r.chance(0.5) ? `${path(r)} ` : ''}-> ${word(r)},`;
    case 4:
      return `${r.pick(['deny ', 'audit deny '])}pivot_root ${r.chance(0.5) ? `oldroot=${path(r)}/ ` : ''}${r.chance(0.5) ? `${path(r)}/ ` : ''}${r.chance(0.5) ? `-> ${word(r)}` : ''},`.replace(' ,', ',');
    case 5:
      return `${r.pick(['include', '#include', 'include if exists', '#include if exists'])} <abstractions/${r.pick(ABSTRACTIONS)}>`;
    default:
      return `# ${r.some(WORDS, 3).join(' ')}`;
  }
}

/** One statement of a form armorkit may accept. */
export function validStatement(r: Random): string {
  const form = r.int(10);
  if (form < 4) return fileRule(r);
  if (form < 6) return mountRule(r);
  if (form < 8) return peerRule(r);
  return otherRule(r);
}

/** Long, not huge: apparmor_parser's DFA build for a link rule grows with the square of the path (5000 bytes: 14 s). */
function longToken(r: Random): string {
  return `/${r.pick(['a', 'x/', '\\ ', '{a,b}'] as const).repeat(1 + r.int(r.chance(0.9) ? 120 : 400))}`;
}

/** Inserts, replaces or deletes at a random place; the edits lexers read differently. */
function mutate(r: Random, text: string): string {
  const at = r.int(text.length + 1);
  switch (r.int(9)) {
    case 0:
    case 1:
    case 2:
      return text.slice(0, at) + r.pick(NASTY) + text.slice(at);
    case 3:
      return text.slice(0, at) + r.pick(NASTY) + text.slice(at + 1 + r.int(3));
    case 4:
      return text.slice(0, at) + text.slice(at + 1 + r.int(4));
    case 5: {
      // A list value gets a backslash-quote: the divergence class of the known escape.
      const open = text.indexOf('(', at) >= 0 ? text.indexOf('(', at) : text.lastIndexOf('(');
      if (open < 0) return text.slice(0, at) + '\\"' + text.slice(at);
      const close = text.indexOf(')', open);
      const where = close < 0 ? open + 1 : open + 1 + r.int(close - open);
      return text.slice(0, where) + r.pick(['\\"', '\\', '"', '\\\\"', '\\)', '#', '}']) + text.slice(where);
    }
    case 6:
      return text.slice(0, at) + ` ${r.pick(PAYLOADS)} ` + text.slice(at);
    case 7:
      return text.slice(0, at) + (r.chance(0.5) ? ` # ${r.some(NASTY, 3).join('')}` : r.some(NASTY, 3).join('')) + text.slice(at);
    default:
      return text.slice(0, at) + longToken(r) + text.slice(at);
  }
}

const SEPARATORS = ['\n', '\n', '\n', ' ', '\t', '\n\n', '  \n', ' # note\n', '\r\n', '\n# } { px "\n'];

/** Where one lexer may enter a string, a comment or a list that the other does not: opened in a rule... */
const OPENERS = ['\\"', '\\"', '\\"', '"', '\\\\"', '#', '\\', '\\(', '(', '{', '\\,'];
/** ... and closed after a payload, on the same line or the next. */
const CLOSERS = ['"', '# "', '# ")', '# "),', '# "),', '# "),', '"),', ')', '}', '# }', '\\")', '\n"', '# "\n)', '\n#")'];

/** Rules with lists whose values apparmor_parser does not check (fstype, peer label and name): the carriers. */
function listCarrier(r: Random): string {
  const value = word(r);
  switch (r.int(6)) {
    case 0:
      return `deny mount fstype=(${value}) -> ${path(r)}/,`;
    case 1:
      return `deny ${r.pick(['umount', 'remount'])} ${r.pick(['fstype', 'options'])}=(${value}) ${path(r)},`;
    case 2:
      return `unix (send) peer=(label=${value}),`;
    case 3:
      return `dbus send bus=session peer=(name=${value}),`;
    case 4:
      return mountRule(r);
    default:
      return peerRule(r);
  }
}

/** Where a list value ends inside the first `(...)` of `text`, or a random place when there is none. */
function listValueEnd(r: Random, text: string): number {
  const open = text.indexOf('(');
  const close = text.indexOf(')', open);
  if (open < 0 || close < 0) return r.int(text.length + 1);
  const ends: number[] = [];
  for (let k = open + 2; k <= close; k++) if (/[,) ]/.test(text[k] ?? '') && !/[,( ]/.test(text[k - 1] ?? '')) ends.push(k);
  return ends.length > 0 ? r.pick(ends) : close;
}

/** A rule whose list value gets an opener, then a payload, then a closer: text one lexer may read as quoted. */
function smuggled(r: Random): string {
  let carrier = listCarrier(r);
  const at = r.chance(0.8) ? listValueEnd(r, carrier) : r.int(carrier.length + 1);
  carrier = carrier.slice(0, at) + r.pick(OPENERS) + carrier.slice(at);
  const gap = () => r.pick([' ', ' ', '\t', '', '\n']);
  return `${carrier}${gap()}${r.pick(PAYLOADS)}${gap()}${r.pick(CLOSERS)}${r.chance(0.5) ? `${r.pick(['\n', ' '])}${validStatement(r)}` : ''}`;
}

/** A raw rule text: one to four statements, most often mutated; sometimes a payload smuggled between lexers. */
export function rawRuleText(r: Random): string {
  if (r.chance(0.25)) return smuggled(r);
  const statements = Array.from({ length: 1 + r.int(4) }, () => (r.chance(0.05) ? r.pick(PAYLOADS) : validStatement(r)));
  if (r.chance(0.3)) statements[r.int(statements.length)] += ` # ${r.some(NASTY, 2).join('')}`;
  let text = '';
  statements.forEach((statement, i) => {
    text += (i > 0 ? r.pick(SEPARATORS) : '') + statement;
  });
  if (r.chance(0.15)) text = `${r.pick(['', '  ', '\t', '\n'])}${text}${r.pick(['', '\n', '  ', ' \n'])}`;
  const mutations = r.chance(0.35) ? 0 : 1 + r.int(3);
  for (let k = 0; k < mutations; k++) text = mutate(r, text);
  return text;
}

const FLAGS = ['attach_disconnected', 'mediate_deleted', 'complain', 'audit', 'chroot_relative', 'unconfined'];

/** A DefenseInDepth custom profile declaring `profileName`, most often mutated. */
export function customProfileText(r: Random, profileName: string): string {
  const preamble = [r.chance(0.9) ? 'abi <abi/3.0>,' : '', r.pick(['#include <tunables/global>', 'include <tunables/global>', 'include if exists <tunables/global>'])].filter(Boolean);
  const flags = r.chance(0.6) ? ` flags=(${r.some(FLAGS.slice(0, r.chance(0.05) ? FLAGS.length : FLAGS.length - 1), 2).join(',')})` : '';
  const body = Array.from({ length: 1 + r.int(5) }, () => `  ${validStatement(r)}`);
  if (r.chance(0.4)) body.unshift('  #include <abstractions/base>');
  let text = `${preamble.join('\n')}\n\nprofile ${profileName}${flags} {\n${body.join('\n')}\n}\n`;
  const mutations = r.chance(0.35) ? 0 : 1 + r.int(3);
  for (let k = 0; k < mutations; k++) text = mutate(r, text);
  return text;
}

/** Raw rules mutated from given legitimate texts (test/fixtures) and from the known carriers. */
export function mutatedText(r: Random, seeds: readonly string[]): string {
  let text = r.pick(seeds);
  const mutations = 1 + r.int(3);
  for (let k = 0; k < mutations; k++) text = mutate(r, text);
  return text;
}
