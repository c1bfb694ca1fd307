// KubeArmor's semantics (reference §2) as the dialect translates them, one rule a case: whitelist mode and posture,
// Audit and Block, precedence, fromSource, ownerOnly, readOnly, recursive, matchPatterns, protocols, capabilities,
// syscalls, what is refused or ignored, and the quirks of §2.7 (docs/kubearmor.md#differences-from-kubearmor).
import { describe, expect, it } from 'vitest';
import { annotatedPostures, resolvePostures } from '../src/semantics/posture.js';
import { type TranslateOptions, type Translation, translateKubeArmor } from '../src/semantics/translate.js';
import { ksp, parse } from './support/parse.js';

function translate(body: string, options: TranslateOptions = {}, kind = 'KubeArmorPolicy'): Translation {
  const { policies, errors } = parse(ksp(body, kind));
  expect(errors).toEqual([]);
  return translateKubeArmor(policies[0]!, options);
}

const BLOCK = { defaultPosture: { file: 'block', network: 'block', capabilities: 'block' } } as const;

/** The AppArmor lines of the container's profile, one string per line. */
const globalLines = (translation: Translation) => translation.appArmor.global.flatMap((entry) => entry.rules.split('\n'));
/** The AppArmor lines of a fromSource child profile. */
const childLines = (translation: Translation, source: string) => translation.appArmor.sources.find((entry) => entry.source === source)?.lines.flatMap((entry) => entry.rules.split('\n'));
const codes = (list: readonly { code: string; pointer: string }[]) => list.map((entry) => `${entry.code} ${entry.pointer}`);

describe('whitelist mode and default posture (§2.1)', () => {
  const allowFile = '  file:\n    matchPaths:\n      - {path: /etc/hostname, action: Allow}\n';

  it('an Allow rule makes its class an allow list: under the block posture its allow-all line goes', () => {
    expect(translate(allowFile, BLOCK).appArmor.header).toEqual({ file: false, network: true, capability: true });
    expect(translate('  network:\n    matchProtocols:\n      - {protocol: tcp, action: Allow}\n', BLOCK).appArmor.header).toEqual({ file: true, network: false, capability: true });
    expect(translate('  capabilities:\n    matchCapabilities:\n      - {capability: chown, action: Allow}\n', BLOCK).appArmor.header).toEqual({ file: true, network: true, capability: false });
  });

  it('process and file share one class: a process Allow makes files an allow list too', () => {
    expect(translate('  process:\n    matchPaths:\n      - {path: /usr/bin/id, action: Allow}\n', BLOCK).appArmor.header).toEqual({ file: false, network: true, capability: true });
  });

  it('Block and Audit rules alone keep every class wholesale (blacklist)', () => {
    expect(translate('  file:\n    matchPaths:\n      - {path: /etc/shadow}\n      - {path: /etc/passwd, action: Audit}\n', BLOCK).appArmor.header).toEqual({ file: true, network: true, capability: true });
  });

  it('the audit posture (the default) keeps the allow-all line, and says alerts differ', () => {
    const translation = translate(allowFile);
    expect(translation.postures).toEqual({ file: 'audit', network: 'audit', capabilities: 'audit' });
    expect(translation.appArmor.header.file).toBe(true);
    expect(codes(translation.warnings)).toContain('kubearmor/alerts-differ /spec/file/matchPaths/0');
  });

  it('posture alerts: the audit posture keeps the allow-all line audited (the child profile too), and alerts do not differ', () => {
    const translation = translate('  file:\n    matchPaths:\n      - {path: /etc/hostname, action: Allow, fromSource: [{path: /usr/bin/cat}]}\n  network:\n    matchProtocols:\n      - {protocol: tcp, action: Allow}\n', {
      postureAlerts: true,
      defaultPosture: { network: 'block' },
    });
    // file (audit posture) keeps its line audited; network (block posture) loses it.
    expect(translation.appArmor.header).toEqual({ file: true, network: false, capability: true, audited: ['file'] });
    expect(childLines(translation, '/usr/bin/cat')?.slice(0, 4)).toEqual(['audit file,', 'network,', 'capability,', 'unix,']);
    expect(codes(translation.warnings).filter((code) => code.startsWith('kubearmor/alerts-differ'))).toEqual([]);
    expect(translate(allowFile, { postureAlerts: true }).appArmor.header).toEqual({ file: true, network: true, capability: true, audited: ['file'] });
  });

  it('a namespace annotation sets the posture per class, case-insensitively; an invalid one falls back to the default', () => {
    const namespaceAnnotations = { demo: { 'kubearmor-file-posture': 'Block', 'kubearmor-network-posture': 'allow' } };
    const translation = translate(allowFile, { namespaceAnnotations, defaultPosture: { network: 'block' } });
    expect(translation.postures).toEqual({ file: 'block', network: 'block', capabilities: 'audit' });
    expect(translation.appArmor.header.file).toBe(false);
  });

  it('the annotations may come from a lookup, read at each translation (a cluster\'s Namespaces as they are now)', () => {
    const annotations = new Map<string, Record<string, string>>();
    const options: TranslateOptions = { namespaceAnnotations: (namespace) => annotations.get(namespace) };
    expect(translate(allowFile, options).postures).toEqual({ file: 'audit', network: 'audit', capabilities: 'audit' });
    annotations.set('demo', { 'kubearmor-file-posture': 'block', 'kubearmor-capabilities-posture': 'BLOCK' });
    const blocked = translate(allowFile, options);
    expect(blocked.postures).toEqual({ file: 'block', network: 'audit', capabilities: 'block' });
    expect(blocked.appArmor.header.file).toBe(false);
    annotations.set('demo', { 'kubearmor-file-posture': 'deny' });
    expect(translate(allowFile, { ...options, defaultPosture: { file: 'block' } }).postures.file).toBe('block');
    expect(translate(allowFile, options).postures.file).toBe('audit');
  });

  it('annotatedPostures: the valid posture annotations only, other annotations ignored', () => {
    expect(annotatedPostures({ 'kubearmor-network-posture': 'Audit', 'kubearmor-file-posture': 'allow', team: 'web' })).toEqual({ network: 'audit' });
    expect(annotatedPostures(undefined)).toEqual({});
    // A record names namespaces by its own keys only.
    expect(resolvePostures('constructor', { namespaceAnnotations: {} })).toEqual({ file: 'audit', network: 'audit', capabilities: 'audit' });
  });
});

describe('Audit and Block (§2.1)', () => {
  it('Block denies and reports; Audit lets it through and reports', () => {
    const lines = globalLines(translate('  file:\n    matchPaths:\n      - {path: /etc/shadow}\n      - {path: /etc/passwd, action: Audit}\n'));
    expect(lines).toEqual(['audit deny /etc/shadow klmrw,', 'audit /etc/passwd klmrw,']);
  });

  it('under the block posture, an Audit rule no Allow rule covers is denied (the posture denies it), one an Allow covers is not', () => {
    const body = '  file:\n    matchDirectories:\n      - {dir: /data/, recursive: true, action: Allow}\n    matchPaths:\n      - {path: /data/log, action: Audit}\n      - {path: /etc/passwd, action: Audit}\n';
    expect(globalLines(translate(body, BLOCK))).toEqual(['audit /data/log klmrw,', 'audit deny /etc/passwd klmrw,', '/data/ klmrw,', '/data/** klmrw,']);
  });

  it('BPF takes Block as deny+audit and Audit as audit only', () => {
    const { bpf } = translate('  file:\n    matchPaths:\n      - {path: /etc/shadow}\n      - {path: /etc/passwd, action: Audit}\n');
    expect(bpf.rawRules.files?.map((rule) => [rule.pattern, rule.qualifiers])).toEqual([
      ['/etc/shadow', ['deny', 'audit']],
      ['/etc/passwd', ['audit']],
    ]);
  });
});

describe('precedence between rules (§2.3)', () => {
  const both = (first: string, second: string) => `  file:\n    matchPaths:\n      - {path: /etc/hosts, action: ${first}}\n      - {path: /etc/hosts, action: ${second}}\n`;

  it('Allow and Block of one path: both lines are kept, so AppArmor denies (deny wins), whatever the order', () => {
    const one = globalLines(translate(both('Allow', 'Block'), BLOCK));
    const other = globalLines(translate(both('Block', 'Allow'), BLOCK));
    expect(one).toEqual(['/etc/hosts klmrw,', 'audit deny /etc/hosts klmrw,']);
    expect([...other].sort()).toEqual([...one].sort());
  });

  it('a child profile gets the global rules it does not override, then its own (§3.4)', () => {
    const body =
      '  file:\n    matchPaths:\n      - {path: /etc/shadow}\n      - {path: /etc/hosts}\n' +
      '      - {path: /etc/hosts, action: Allow, fromSource: [{path: /usr/bin/curl}]}\n';
    const translation = translate(body);
    expect(childLines(translation, '/usr/bin/curl')).toEqual(['file,', 'network,', 'capability,', 'unix,', 'audit deny /etc/shadow klmrw,', '/etc/hosts klmrw,']);
  });

  it('a child directory rule covers the global rules under it (non-recursive: direct children only)', () => {
    const body =
      '  file:\n    matchPaths:\n      - {path: /etc/ssl/a}\n      - {path: /etc/ssl/certs/b}\n' +
      '    matchDirectories:\n      - {dir: /etc/ssl/, action: Allow, fromSource: [{path: /usr/bin/curl}]}\n';
    const lines = childLines(translate(body), '/usr/bin/curl');
    expect(lines).toContain('audit deny /etc/ssl/certs/b klmrw,');
    expect(lines).not.toContain('audit deny /etc/ssl/a klmrw,');
  });
});

describe('fromSource (§2.2)', () => {
  it('a rule with fromSource is only in the child profile of that executable', () => {
    const translation = translate('  process:\n    matchPaths:\n      - {path: /usr/bin/id, fromSource: [{path: /usr/bin/bash}]}\n');
    expect(globalLines(translation)).toEqual([]);
    expect(childLines(translation, '/usr/bin/bash')).toContain('audit deny /usr/bin/id x,');
  });

  it('an Allow with fromSource switches whitelist mode too', () => {
    const translation = translate('  file:\n    matchPaths:\n      - {path: /secret, action: Allow, fromSource: [{path: /usr/bin/cat}]}\n', BLOCK);
    expect(translation.appArmor.header.file).toBe(false);
  });

  it("an allowed exec of a source is its transition, not a rule (KubeArmor's ResolvedProcessWhiteListConflicts)", () => {
    const body = '  process:\n    matchPaths:\n      - {path: /usr/bin/bash, action: Allow}\n      - {path: /usr/bin/id, action: Allow, fromSource: [{path: /usr/bin/bash}]}\n';
    const translation = translate(body, BLOCK);
    expect(globalLines(translation)).toEqual([]);
    expect(translation.appArmor.sources.map((entry) => entry.source)).toEqual(['/usr/bin/bash']);
  });

  it('BPF cannot limit a rule to a source: left out, at the field', () => {
    const translation = translate('  process:\n    matchPaths:\n      - {path: /usr/bin/id, fromSource: [{path: /usr/bin/bash}]}\n');
    expect(translation.enforcers).toEqual(['AppArmor']);
    expect(codes(translation.warnings)).toEqual(['kubearmor/enforcer-left-out /spec/process/matchPaths/0/fromSource']);
  });

  it('with the BPF enforcer asked for, the same rule is an error', () => {
    const translation = translate('  process:\n    matchPaths:\n      - {path: /usr/bin/id, fromSource: [{path: /usr/bin/bash}]}\n', { enforcers: ['BPF'] });
    expect(codes(translation.errors)).toEqual(['kubearmor/rule-unenforceable /spec/process/matchPaths/0/fromSource']);
  });
});

describe('ownerOnly, readOnly, recursive (§2.4, §2.5)', () => {
  it('ownerOnly Block: the owner may, others are denied (process and file)', () => {
    expect(globalLines(translate('  process:\n    matchPaths:\n      - {path: /usr/bin/id, ownerOnly: true}\n'))).toEqual(['owner /usr/bin/id ix,', 'audit deny other /usr/bin/id x,']);
    expect(globalLines(translate('  file:\n    matchPaths:\n      - {path: /etc/x, ownerOnly: true}\n'))).toEqual(['owner /etc/x klmrw,', 'audit deny other /etc/x klmrw,']);
  });

  it('ownerOnly Allow: owner only (kept on directories too, §2.7 quirk 5 fixed)', () => {
    expect(globalLines(translate('  process:\n    matchDirectories:\n      - {dir: /opt/, ownerOnly: true, action: Allow}\n', BLOCK))).toEqual(['owner /opt/ ix,', 'owner /opt/* ix,']);
  });

  it('readOnly: Block denies writes only, Allow allows reads only, Audit reports writes', () => {
    const lines = (action: string) => globalLines(translate(`  file:\n    matchPaths:\n      - {path: /etc/x, readOnly: true, action: ${action}}\n`, BLOCK));
    expect(lines('Block')).toEqual(['audit deny /etc/x klw,']);
    expect(lines('Allow')).toEqual(['/etc/x klr,']);
    expect(lines('Audit')).toEqual(['audit /etc/x klw,']);
  });

  it('readOnly and ownerOnly: the owner may read, others nothing', () => {
    expect(globalLines(translate('  file:\n    matchPaths:\n      - {path: /etc/x, readOnly: true, ownerOnly: true}\n'))).toEqual(['audit deny owner /etc/x klw,', 'audit deny other /etc/x klmrw,']);
  });

  it('a directory is itself and its direct children, or with recursive everything below', () => {
    expect(globalLines(translate('  file:\n    matchDirectories:\n      - {dir: /etc/}\n'))).toEqual(['audit deny /etc/ klmrw,', 'audit deny /etc/* klmrw,']);
    expect(globalLines(translate('  file:\n    matchDirectories:\n      - {dir: /etc/, recursive: true}\n'))).toEqual(['audit deny /etc/ klmrw,', 'audit deny /etc/** klmrw,']);
  });

  it('BPF takes recursive directories, not direct children only, nor ownerOnly; it takes readOnly as write denies', () => {
    const recursive = translate('  file:\n    matchDirectories:\n      - {dir: /etc/, recursive: true, readOnly: true}\n');
    expect(recursive.bpf.rawRules.files?.map((rule) => [rule.pattern, rule.permissions])).toEqual([
      ['/etc', ['write', 'append']],
      ['/etc/**', ['write', 'append']],
    ]);
    expect(codes(translate('  file:\n    matchDirectories:\n      - {dir: /etc/}\n').warnings)).toEqual(['kubearmor/enforcer-left-out /spec/file/matchDirectories/0']);
    expect(codes(translate('  file:\n    matchPaths:\n      - {path: /etc/x, ownerOnly: true}\n').warnings)).toEqual(['kubearmor/enforcer-left-out /spec/file/matchPaths/0/ownerOnly']);
  });
});

describe('matchPatterns and execname', () => {
  it('a pattern is an AppArmor glob; Allow patterns and execnames are enforced (§2.7 quirk 4 fixed)', () => {
    expect(globalLines(translate('  file:\n    matchPatterns:\n      - {pattern: "/etc/*.conf"}\n'))).toEqual(['audit deny /etc/*.conf klmrw,']);
    expect(globalLines(translate('  process:\n    matchPatterns:\n      - {pattern: "/usr/local/bin/*", action: Allow}\n    matchPaths:\n      - {execname: apt, action: Allow}\n', BLOCK))).toEqual([
      '/**/apt ix,',
      '/usr/local/bin/* ix,',
    ]);
  });

  it('a pattern with white space reads like a command line: AppArmor refuses it, at the field', () => {
    const translation = translate('  process:\n    matchPatterns:\n      - {pattern: "/bin/sh -c *"}\n', { enforcers: ['AppArmor'] });
    expect(codes(translation.errors)).toEqual(['kubearmor/rule-unenforceable /spec/process/matchPatterns/0']);
  });

  it('BPF takes exact and ** patterns, not ? [ ] { }', () => {
    expect(translate('  file:\n    matchPatterns:\n      - {pattern: "/etc/**"}\n').enforcers).toContain('BPF');
    expect(translate('  file:\n    matchPatterns:\n      - {pattern: "/etc/[ab]"}\n').enforcers).not.toContain('BPF');
  });
});

describe('network protocols and capabilities', () => {
  it('protocols are AppArmor network rules (all: every protocol); icmpv6 and sctp are refused by AppArmor', () => {
    const lines = globalLines(translate('  network:\n    matchProtocols:\n      - {protocol: tcp}\n      - {protocol: raw, action: Audit}\n      - {protocol: all, action: Allow}\n', BLOCK));
    expect(lines).toEqual(['audit deny network tcp,', 'audit network raw,', 'network,']);
    expect(translate('  network:\n    matchProtocols:\n      - {protocol: icmpv6}\n').appArmor.problems.map((note) => note.pointer)).toEqual(['/spec/network/matchProtocols/0']);
    expect(translate('  network:\n    matchProtocols:\n      - {protocol: sctp}\n').enforcers).toEqual([]);
  });

  it('BPF takes protocols as socket rules', () => {
    expect(translate('  network:\n    matchProtocols:\n      - {protocol: udp}\n      - {protocol: dgram}\n').bpf.rawRules.network?.sockets).toEqual([
      { qualifiers: ['deny', 'audit'], protocols: ['udp'] },
      { qualifiers: ['deny', 'audit'], types: ['dgram'] },
    ]);
  });

  it('capabilities: AppArmor Block, Audit and Allow; BPF Block as the built-in disable-cap rule, not Audit', () => {
    expect(globalLines(translate('  capabilities:\n    matchCapabilities:\n      - {capability: net_raw}\n      - {capability: chown, action: Audit}\n'))).toEqual([
      'audit deny capability net_raw,',
      'audit capability chown,',
    ]);
    expect(translate('  capabilities:\n    matchCapabilities:\n      - {capability: net_raw}\n').bpf.hardeningRules).toEqual(['disable-cap-net-raw']);
    expect(translate('  capabilities:\n    matchCapabilities:\n      - {capability: chown, action: Audit}\n').bpf.problems.map((note) => note.pointer)).toEqual(['/spec/capabilities/matchCapabilities/0/action']);
  });
});

describe('syscalls → seccomp', () => {
  it('Audit → SCMP_ACT_LOG: KubeArmor audits syscalls', () => {
    expect(translate('  syscalls:\n    matchSyscalls:\n      - syscall: [unlink, rmdir]\n').seccomp.syscalls).toEqual([{ names: ['rmdir', 'unlink'], action: 'SCMP_ACT_LOG' }]);
  });

  it('Block (spec.action written Block) → SCMP_ACT_ERRNO with EPERM, which KubeArmor cannot do', () => {
    expect(translate('  action: Block\n  syscalls:\n    matchSyscalls:\n      - syscall: [unshare]\n').seccomp.syscalls).toEqual([{ names: ['unshare'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }]);
  });

  it('a syscall rule limited to a path or a source cannot be a seccomp filter: refused at the field', () => {
    const paths = translate('  syscalls:\n    matchPaths:\n      - {path: /etc/, syscall: [unlink]}\n');
    expect(codes(paths.errors)).toEqual(['kubearmor/rule-unenforceable /spec/syscalls/matchPaths/0']);
    expect(paths.seccomp.problems.map((note) => note.pointer)).toEqual(['/spec/syscalls/matchPaths/0/path']);
    const sources = translate('  syscalls:\n    matchSyscalls:\n      - {syscall: [unlink], fromSource: [{path: /usr/bin/rm}]}\n');
    expect(sources.seccomp.problems.map((note) => note.pointer)).toEqual(['/spec/syscalls/matchSyscalls/0/fromSource']);
  });
});

describe('refused and ignored, with a reason', () => {
  it.each([
    ['presets (KubeArmor BPF-LSM programs)', '  presets:\n    - {name: filelessExec}\n', '/spec/presets/0'],
    ['pts: false', '  file:\n    matchPaths:\n      - {path: /etc/x, pts: false}\n', '/spec/file/matchPaths/0/pts'],
    ['allowedArgs', '  process:\n    matchPaths:\n      - {path: /usr/bin/id, allowedArgs: [-u]}\n', '/spec/process/matchPaths/0/allowedArgs'],
    ['matchDNSQueries', '  network:\n    matchDNSQueries:\n      - {domain: example.com}\n', '/spec/network/matchDNSQueries/0'],
  ])('%s', (_what, body, pointer) => {
    const translation = translate(body);
    expect(codes(translation.errors)).toEqual([`kubearmor/field-unsupported ${pointer}`]);
    expect(translation.errors[0]?.message).toMatch(/cannot be enforced|refused rather than ignored/);
  });

  it('a host policy ignores Allow rules without fromSource, as KubeArmor does, and says so', () => {
    const { policies } = parse(
      'apiVersion: security.kubearmor.com/v1\nkind: KubeArmorHostPolicy\nmetadata: {name: h}\nspec:\n  nodeSelector:\n    matchLabels: {a: b}\n  file:\n    matchPaths:\n      - {path: /etc/x, action: Allow}\n      - {path: /etc/y}\n',
    );
    const translation = translateKubeArmor(policies[0]!, BLOCK);
    expect(codes(translation.warnings)).toContain('kubearmor/field-ignored /spec/file/matchPaths/0');
    expect(translation.appArmor.header.file).toBe(true);
    expect(globalLines(translation)).toEqual(['audit deny /etc/y klmrw,']);
  });
});

describe('quirks of §2.7 kept or fixed', () => {
  it('quirk 3: AppArmor deny wins (kept); BPF gets the Block (deny) only, never last-writer-wins (an Allow leaves BPF out)', () => {
    const translation = translate('  file:\n    matchPaths:\n      - {path: /etc/hosts}\n      - {path: /etc/hosts, action: Allow}\n');
    expect(globalLines(translation)).toContain('audit deny /etc/hosts klmrw,');
    expect(translation.enforcers).not.toContain('BPF');
  });

  it('quirk 6 fixed: an Allow directory in a fromSource child profile is enforced', () => {
    const lines = childLines(translate('  process:\n    matchDirectories:\n      - {dir: /usr/bin/, action: Allow, fromSource: [{path: /usr/bin/bash}]}\n', BLOCK), '/usr/bin/bash');
    expect(lines).toEqual(['file,', 'network,', 'capability,', 'unix,', '/usr/bin/ ix,', '/usr/bin/* ix,'].filter((line) => line !== 'file,'));
  });
});
