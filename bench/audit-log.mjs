// The generated auditd log of bench/audit.mjs (log_format=ENRICHED, as /var/log/audit/audit.log): AppArmor denials as
// AVC + SYSCALL + PROCTITLE records, seccomp LOG/ERRNO/KILL records alone, as the kernel emits them. The decoders'
// differential tests read the same lines, and fuzzed variants of them (fuzzAuditLine).

const SEPARATOR = '\x1d';

/** mulberry32: a small seeded generator, so the log is the same on every run. */
export function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PROFILES = ['varmor-demo-demo-1', 'varmor-demo-demo-5', 'varmor-cluster-varmor-web', 'cri-containerd.apparmor.d', 'docker-default'];
const PROCESSES = [
  ['cat', '/usr/bin/cat'], ['sh', '/bin/dash'], ['bash', '/usr/bin/bash'], ['curl', '/usr/bin/curl'], ['python3', '/usr/bin/python3.11'],
  ['nginx', '/usr/sbin/nginx'], ['java', '/usr/lib/jvm/java-17-openjdk-amd64/bin/java'], ['node', '/usr/local/bin/node'],
];
const FILES = [
  '/etc/shadow', '/etc/passwd', '/proc/sys/kernel/core_pattern', '/run/secrets/kubernetes.io/serviceaccount/token',
  '/var/run/docker.sock', '/root/.ssh/id_rsa', '/sys/kernel/security/apparmor/profiles', '/proc/1/environ', '/etc/kubernetes/admin.conf',
];
const OPERATIONS = [['open', 'r', 2], ['open', 'w', 257], ['mknod', 'c', 259], ['exec', 'x', 59], ['unlink', 'd', 87]];
// [number, name, seccomp return, sig]
const SYSCALLS = [[41, 'socket'], [165, 'mount'], [272, 'unshare'], [101, 'ptrace'], [321, 'bpf'], [298, 'perf_event_open'], [56, 'clone'], [1, 'write']];
const RETURNS = [['0x7ffc0000', 0], ['0x7ffc0000', 0], ['0x7ffc0000', 0], ['0x50000', 0], ['0x80000000', 31], ['0x0', 31]];
const USERS = [[0, 'root'], [65534, 'nobody'], [1000, 'app']];

const hex = (text) => Buffer.from(text, 'utf8').toString('hex').toUpperCase();

/**
 * One audit event's records (1 line for seccomp, 3 for an AppArmor denial), `lines` lines in all, the same for the
 * same seed; `expected` counts the events.
 */
export function* auditLog(lines, expected = { apparmor: 0, seccomp: 0 }, seed = 0x5eccc0) {
  const next = random(seed);
  const pick = (list) => list[Math.floor(next() * list.length)];
  const int = (low, high) => low + Math.floor(next() * (high - low + 1));
  let serial = 1000;
  let millis = 1_717_430_600_000;
  let written = 0;
  while (written < lines) {
    serial += 1;
    millis += int(1, 40);
    const stamp = `audit(${Math.floor(millis / 1000)}.${String(millis % 1000).padStart(3, '0')}:${serial})`;
    const pid = int(300, 4_000_000);
    const [comm, exe] = pick(PROCESSES);
    const profile = pick(PROFILES);
    const [uid, user] = pick(USERS);
    if (next() < 0.5) {
      const [nr, name] = pick(SYSCALLS);
      const [code, sig] = pick(RETURNS);
      const ip = `0x7f${int(0, 0xffffffff).toString(16).padStart(8, '0')}${int(0, 0xffff).toString(16)}`;
      yield `type=SECCOMP msg=${stamp}: auid=4294967295 uid=${uid} gid=${uid} ses=4294967295 subj=${profile} (enforce) pid=${pid} comm="${comm}" exe="${exe}" sig=${sig} arch=c000003e syscall=${nr} compat=0 ip=${ip} code=${code}${SEPARATOR}AUID="unset" UID="${user}" GID="${user}" ARCH=x86_64 SYSCALL=${name}`;
      expected.seccomp += 1;
      written += 1;
      continue;
    }
    const [operation, mask, nr] = pick(OPERATIONS);
    const file = `${pick(FILES)}${next() < 0.3 ? `.${int(0, 99999)}` : ''}`;
    const action = next() < 0.8 ? 'DENIED' : 'AUDIT';
    yield `type=AVC msg=${stamp}: apparmor="${action}" operation="${operation}" class="file" profile="${profile}" name="${file}" pid=${pid} comm="${comm}" requested_mask="${mask}" denied_mask="${mask}" fsuid=${uid} ouid=0${SEPARATOR}FSUID="${user}" OUID="root"`;
    yield `type=SYSCALL msg=${stamp}: arch=c000003e syscall=${nr} success=no exit=-13 a0=ffffff9c a1=7ffd${int(0, 0xffffff).toString(16)} a2=0 a3=0 items=1 ppid=${int(1, 299)} pid=${pid} auid=4294967295 uid=${uid} gid=${uid} euid=${uid} suid=${uid} fsuid=${uid} egid=${uid} sgid=${uid} fsgid=${uid} tty=(none) ses=4294967295 comm="${comm}" exe="${exe}" subj=${profile} (enforce) key=(null)${SEPARATOR}ARCH=x86_64 SYSCALL=openat AUID="unset" UID="${user}" GID="${user}" EUID="${user}" SUID="${user}" FSUID="${user}" EGID="${user}" SGID="${user}" FSGID="${user}"`;
    yield `type=PROCTITLE msg=${stamp}: proctitle=${hex(`${comm}\0${file}`)}`;
    expected.apparmor += 1;
    written += 3;
  }
}

const MUTATION_CHARACTERS = [' ', '"', '=', '\x1d', '^]', '(', ')', '0', 'A', 'x', '\t', ':', '/', '\r'];

/** The record's fields: what follows `): ` (auditd, kernel) or the journald type word. */
function splitRecord(line) {
  const stamp = line.indexOf('): ');
  const at = stamp >= 0 ? stamp + 3 : Math.max(0, line.indexOf(' ') + 1);
  return [line.slice(0, at), line.slice(at)];
}

/** Words of a record body, a quoted value (which may hold blanks) kept whole. */
function fieldWords(body) {
  const words = [];
  let word = '';
  let quoted = false;
  for (const c of body) {
    if (c === '"') quoted = !quoted;
    if (c === ' ' && !quoted) {
      words.push(word);
      word = '';
    } else word += c;
  }
  words.push(word);
  return words;
}

const hexText = (text) => Buffer.from(text, 'utf8').toString('hex').toUpperCase();

/**
 * A variant of an audit line, as other kernels, transports and hostile or damaged input write it: fields reordered,
 * dropped, duplicated or unknown, quoted values hex-encoded, another transport's prefix, CRLF, a separator lost or
 * printed as ^], trailing garbage, a cut, a stray character. `next` is a random() generator.
 */
export function fuzzAuditLine(line, next) {
  const pick = (list) => list[Math.floor(next() * list.length)];
  const [head, body] = splitRecord(line);
  const words = fieldWords(body);
  const at = Math.floor(next() * words.length);
  const stamp = /audit\(([^)]*)\)/.exec(head)?.[1] ?? '1700000000.000:1';
  const type = /type=(\S+)/.exec(head)?.[1] ?? 'AVC';
  const kernelType = type === 'SECCOMP' ? '1326' : type === 'AVC' ? '1400' : type;
  switch (Math.floor(next() * 16)) {
    case 0: // reordered fields
      for (let i = words.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [words[i], words[j]] = [words[j], words[i]];
      }
      return head + words.join(' ');
    case 1: // a field missing
      words.splice(at, 1);
      return head + words.join(' ');
    case 2: // an unknown field
      words.splice(at, 0, pick(['subj_selinux=system_u:object_r:x', 'extra="a b"', 'x=1', 'key=(null)', 'info="unknown"', 'target="/t"']));
      return head + words.join(' ');
    case 3: // a field twice (the first wins)
      words.splice(at, 0, words[Math.floor(next() * words.length)]);
      return head + words.join(' ');
    case 4: { // a quoted value hex-encoded, as audit_log_untrustedstring writes one with a blank or a quote
      const quoted = words.map((word, i) => [word, i]).filter(([word]) => /^[a-z_]+="[^"]*"$/.test(word));
      if (quoted.length === 0) return line;
      const [word, i] = pick(quoted);
      const equals = word.indexOf('=');
      words[i] = `${word.slice(0, equals + 1)}${hexText(pick([word.slice(equals + 2, -1), 'a b', 'q"q', 'x']))}`;
      return head + words.join(' ');
    }
    case 5: // kern.log / syslog
      return `Jun  4 16:03:20 node-1 kernel: [ 1234.567890] audit: type=${kernelType} audit(${stamp}): ${body}`;
    case 6: // dmesg, with and without "audit: "
      return next() < 0.5 ? `[ 1234.567890] audit: type=${kernelType} audit(${stamp}): ${body}` : `[ 3256.689120] type=${kernelType} audit(${stamp}): ${body}`;
    case 7: // journald's audit transport: no stamp
      return `Feb 04 09:43:37 node-1 audit[4242]: ${type} ${body}`;
    case 8: // audispd
      return `Jan 29 07:58:12 node-1 audispd[568]: node=worker-${Math.floor(next() * 9)} ${line}`;
    case 9: // CRLF
      return `${line}\r`;
    case 10: // the ENRICHED separator lost, or printed as ^]
      return line.replace('\x1d', next() < 0.5 ? '' : '^]');
    case 11: // trailing garbage
      return line + pick([' garbage', ' x=', '=', '"', '\x1d', ' ^]', ' (enforce)', ' a="unterminated', '  ', ' \t']);
    case 12: // cut short (a syslog size limit)
      return line.slice(0, Math.floor(next() * line.length));
    case 13: { // one stray character
      const i = Math.floor(next() * line.length);
      return line.slice(0, i) + pick(MUTATION_CHARACTERS) + line.slice(i + 1);
    }
    case 14: { // a number out of range, signed, or not a number
      const numeric = words.map((word, i) => [word, i]).filter(([word]) => /^[a-z_]+=\d+$/.test(word));
      if (numeric.length === 0) return line;
      const [word, i] = pick(numeric);
      words[i] = word.replace(/=\d+$/, `=${pick(['-1', '4294967296', '1234567890123456', '0x10', '', '007', '12a'])}`);
      return head + words.join(' ');
    }
    default: // a profile label with a child, a mode, or none
      return line.replace(/(profile="|subj=)([^" ]+)/, (_, key, name) => `${key}${name}${pick(['//child_0', '', '//null-/usr/bin/x'])}`);
  }
}

/** Each line through 1 to 3 rounds of fuzzAuditLine, `variants` times, the same for the same seed. */
export function fuzzedVariants(lines, variants, seed) {
  const next = random(seed);
  const out = [];
  for (const line of lines) {
    for (let v = 0; v < variants; v++) {
      let variant = line;
      for (let round = Math.floor(next() * 3); round >= 0; round--) variant = fuzzAuditLine(variant, next);
      out.push(variant);
    }
  }
  return out;
}

/** An event as JSON with its key order and what JSON loses (undefined fields, NaN) spelt out: equal text, equal events. */
export const exactJson = (event) =>
  JSON.stringify(event ?? null, (_key, value) => (value === undefined ? '<undefined>' : Number.isNaN(value) ? '<NaN>' : value));
