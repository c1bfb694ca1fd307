import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type RawStatement, parseRawRules, printStatement } from '../src/grammar/index.js';
import { binaryPolicy, twoAtATime } from './support/binary-policy.js';

// The printer is proven against apparmor_parser: for every accepted text R, the binary policy of `profile p { R }`
// equals that of `profile p { printed statements }`, and the printed text reads back as the same tree.

const LEGITIMATE = JSON.parse(readFileSync(new URL('./fixtures/legitimate-raw-rules.json', import.meta.url), 'utf8')) as string[];

/** Every form, with the spellings users write (perms first, lists, quoting, comments, line breaks, blanks). */
export const FORMS: readonly string[] = [
  '/etc/hosts r,', 'deny /etc/hosts rw,', 'audit deny owner /srv/** wk,', 'owner /tmp/** rwkl,', 'audit /usr/bin/id rmix,',
  'deny /usr/bin/** x,', 'deny /bin/sh rx,', 'rw /tmp/perms-first,', 'file rw /tmp/file-keyword,', 'file,', 'audit owner file,',
  'deny /etc/{passwd,shadow,group} r,', 'deny "/tmp/with blank" r,', 'deny "/tmp/a #b" r,', '/tmp/a#b r,', 'deny "/tmp/a->b" r,',
  'deny @{PROC}/kcore r,', 'deny @{HOME}/.ssh/** rw,', '"@{PROC}/[0-9]*/mem" r,', 'deny /dev/sd[a-z] rw,', 'deny /tmp/[^.]* r,',
  'deny /tmp/a a,', 'allow /tmp/allowed r,', '/tmp/m mr,',
  'link /tmp/a -> /tmp/b,', 'link subset /tmp/a -> /tmp/b,', 'deny owner link /tmp/c ->/tmp/d,', 'audit link "/tmp/x y" -> /tmp/z,',
  'capability,', 'capability chown,', 'deny capability sys_admin sys_module,', 'audit capability net_bind_service setuid setgid,', 'capability kill,',
  'network,', 'network inet,', 'network inet stream,', 'network inet tcp,', 'deny network inet6 dgram,', 'network inet6 tcp,', 'network inet6 udp,', 'network udp,', 'network stream,', 'network netlink raw,', 'deny network icmp,', 'network tcp,', 'audit deny network packet,',
  'mount,', 'deny mount,', 'mount fstype=proc proc -> /proc/,', 'mount fstype=(ext4, xfs) /dev/sda1 -> /mnt/,', 'deny mount options=(ro, bind) /a/ -> /b/,',
  'deny mount options in (bind, rbind) /proc** -> /**,', 'mount options=ro -> /mnt/,', 'mount fstype in (tmpfs) none -> /tmp/,', 'deny mount\n  options=(ro, bind)\n  /a/ -> /b/,',
  'remount,', 'deny remount /,', 'remount options=(ro) /mnt/,', 'umount fstype=ext4 options=(ro) /mnt/,', 'mount -> /mnt/,', 'unix (send) type=raw,', 'deny change_profile /usr/bin/x,', 'umount,', 'umount /mnt/**,', 'deny umount "/mnt/a b/",',
  'signal,', 'signal (send),', 'signal send,', 'signal (send, receive) set=(kill, term) peer=foo,', 'deny signal (receive) set=(hup) peer=unconfined,', 'signal set=(rtmin+3 usr1),', 'signal peer=varmor-demo-demo//child_0,', 'audit signal receive peer=foo*,',
  'ptrace,', 'ptrace (trace),', 'ptrace (trace,read) peer=foo,', 'deny ptrace (tracedby, readby) peer=unconfined,', 'ptrace read peer=/usr/bin/x,',
  'unix,', 'unix (connect, send) type=stream peer=(label=foo),', 'deny unix (bind) type=dgram addr=@sock,', 'unix (receive) peer=(label=foo, addr=@bar),', 'unix create,', 'unix type=seqpacket,',
  'dbus,', 'dbus send bus=session path=/org/x interface=org.freedesktop.DBus member=Hello peer=(name=org.freedesktop.DBus),', 'deny dbus (send, receive) bus=system,',
  'dbus bind bus=session name=org.example.Foo,', 'dbus eavesdrop bus=session,', 'dbus receive peer=(label=foo, name=org.x),', 'audit dbus send bus=system path=/org/freedesktop/*,',
  'deny change_profile,', 'deny change_profile -> unconfined,', 'audit deny change_profile /usr/bin/x -> foo,', 'deny change_profile /usr/bin/** -> **,',
  'deny pivot_root,', 'audit deny pivot_root -> foo,', 'deny pivot_root /new/,', 'deny pivot_root oldroot=/old/ /new/ -> foo,',
  'include <abstractions/nameservice>', '#include <abstractions/base>', 'include <abstractions/openssl>\n# a comment on the next line',
  '# only a comment\ndeny /tmp/x r, # and after a rule\n\n\tdeny /tmp/y w,',
];

const withoutPositions = (statements: readonly RawStatement[]) => statements.map(({ line: _line, column: _column, ...rest }) => rest);

function printed(text: string): string {
  const read = parseRawRules(text);
  expect(read.problems, text).toEqual([]);
  return (read.statements ?? []).map(printStatement).join('\n');
}

describe('the canonical printer', () => {
  const cases = [...new Set([...FORMS, ...LEGITIMATE])];

  it('prints each statement on one line ending in "," (or the include line), without comments', () => {
    for (const text of cases) {
      for (const line of printed(text).split('\n')) {
        expect(line, text).toMatch(/^(include <abstractions\/[a-z0-9_.-]+>|[^\n]*,)$/);
        expect(line.replace(/"[^"]*"/g, '""'), text).not.toContain('#');
      }
    }
  });

  it('reads its own output back as the same tree, and prints it the same again', () => {
    for (const text of cases) {
      const once = printed(text);
      const again = parseRawRules(once);
      expect(withoutPositions(again.statements ?? []), text).toEqual(withoutPositions(parseRawRules(text).statements ?? []));
      expect(printed(once)).toBe(once);
    }
  });

  it('compiles to the same binary policy as the text it read, for every form', { timeout: 120_000 }, async () => {
    const results = await twoAtATime(cases, async (text) => {
      const [original, canonical] = [await binaryPolicy(text), await binaryPolicy(printed(text))];
      return { text, original, canonical };
    });
    const failures = results.filter((r) => !r.original.ok || !r.canonical.ok || r.original.output !== r.canonical.output);
    expect(failures.map((f) => `${JSON.stringify(f.text)} → ${JSON.stringify(printed(f.text))}: ${f.original.ok ? '' : f.original.output}${f.canonical.ok ? (f.original.output === f.canonical.output ? '' : 'different binary') : f.canonical.output}`)).toEqual([]);
  });

  it('the comparison sees a one-letter difference (a printer that changed a value would be caught)', async () => {
    const [a, b, c] = await Promise.all([binaryPolicy('signal peer=foo,'), binaryPolicy('signal peer=fo,'), binaryPolicy('dbus send bus=session,')]);
    const d = await binaryPolicy('dbus send bus=system,');
    expect(a.ok && b.ok && c.ok && d.ok).toBe(true);
    expect(a.output).not.toBe(b.output);
    expect(c.output).not.toBe(d.output);
  });

  it('writes no byte of the user\'s text it did not put there itself: spacing, comments and spelling are its own', () => {
    expect(printed('  audit   deny\towner   /srv/**   wk ,  # why\n')).toBe('audit deny owner /srv/** wk,');
    expect(printed('r /tmp/x,')).toBe('/tmp/x r,');
    expect(printed('file rw /tmp/y,')).toBe('/tmp/y rw,');
    expect(printed('ptrace (trace,read) peer=foo,')).toBe('ptrace (read,trace) peer=foo,');
    expect(printed('deny mount\n  options=(ro, bind)\n  /a/ -> /b/,')).toBe('deny mount options=(bind,ro) /a/ -> /b/,');
    expect(printed('deny /etc/{passwd,shadow} r,')).toBe('deny "/etc/{passwd,shadow}" r,');
    expect(printed('#include <abstractions/base>')).toBe('include <abstractions/base>');
    expect(printed('capability setuid chown setuid,')).toBe('capability chown setuid,');
  });
});
