import { describe, expect, it } from 'vitest';
import { bpfRules, enhance, expectError, expectValid, load, policyDocument, type Expected } from './varmor-helpers.js';

const EP = '/spec/policy/enhanceProtect';
const BPF = `${EP}/bpfRawRules`;
const DEST = `${BPF}/network/egress/toDestinations/0`;
const PROXY = '/spec/policy/networkProxyConfig';
const EGRESS = `${EP}/networkProxyRawRules/egress`;

const destination = (body: string) => bpfRules(`network:\n  egress:\n    toDestinations:\n    - qualifiers: [deny]\n${body.replace(/^/gm, '      ')}`);
const socket = (body: string) => bpfRules(`network:\n  sockets:\n  - qualifiers: [audit]\n${body.replace(/^/gm, '    ')}`);
const file = (pattern: string, permissions = '[read]', qualifiers = '[deny]') =>
  bpfRules(`files:\n- qualifiers: ${qualifiers}\n  pattern: "${pattern}"\n  permissions: ${permissions}`);
const mount = (fstype: string, flags: string) =>
  enhance(`privileged: true\nbpfRawRules:\n  mounts:\n  - qualifiers: [deny]\n    sourcePattern: "**"\n    fstype: "${fstype}"\n    flags: ${flags}`);
const proxy = (config: string, egress = 'defaultAction: deny') =>
  policyDocument(
    `enforcer: NetworkProxy\nmode: EnhanceProtect\nnetworkProxyConfig:\n${config.replace(/^/gm, '  ')}\nenhanceProtect:\n  networkProxyRawRules:\n    egress:\n${egress.replace(/^/gm, '      ')}`,
  );
const httpRule = (match: string) => proxy('proxyUID: 1337', `defaultAction: deny\nhttpRules:\n- qualifiers: [allow]\n  match:\n${match.replace(/^/gm, '    ')}`);
const mode = (body: string) => policyDocument(body);

interface Case {
  constraint: string;
  valid: string;
  invalid: string;
  expected: Expected;
}

const cases: Case[] = [
  {
    constraint: 'target.kind is Deployment, StatefulSet, DaemonSet or Pod',
    valid: policyDocument('enforcer: BPF\nmode: AlwaysAllow', 'kind: StatefulSet\nname: db'),
    invalid: policyDocument('enforcer: BPF\nmode: AlwaysAllow', 'kind: Deploymnt\nname: web'),
    expected: { code: 'invalid-value', pointer: '/spec/target/kind', at: 'kind: ^Deploymnt', message: /did you mean "Deployment"/ },
  },
  {
    constraint: 'target name and selector are mutually exclusive',
    valid: policyDocument('enforcer: BPF\nmode: AlwaysAllow', 'kind: Pod\nselector:\n  matchLabels: {app: web}'),
    invalid: policyDocument('enforcer: BPF\nmode: AlwaysAllow', 'kind: Pod\nname: web\nselector:\n  matchLabels: {app: web}'),
    expected: { code: 'constraint', pointer: '/spec/target/selector', at: '^matchLabels: {app' },
  },
  {
    constraint: 'target needs name or selector',
    valid: policyDocument('enforcer: BPF\nmode: AlwaysAllow', 'kind: Pod\nname: web'),
    invalid: policyDocument('enforcer: BPF\nmode: AlwaysAllow', 'kind: Pod\ncontainers: [c0]'),
    expected: { code: 'required', pointer: '/spec/target', at: '^kind: Pod' },
  },
  {
    constraint: 'selector operator is In, NotIn, Exists or DoesNotExist',
    valid: policyDocument('enforcer: BPF\nmode: AlwaysAllow', 'kind: Pod\nselector:\n  matchExpressions:\n  - {key: env, operator: DoesNotExist}'),
    invalid: policyDocument('enforcer: BPF\nmode: AlwaysAllow', 'kind: Pod\nselector:\n  matchExpressions:\n  - {key: env, operator: Contains}'),
    expected: { code: 'invalid-value', pointer: '/spec/target/selector/matchExpressions/0/operator', at: 'operator: ^Contains' },
  },
  {
    constraint: 'selector In needs values',
    valid: policyDocument('enforcer: BPF\nmode: AlwaysAllow', 'kind: Pod\nselector:\n  matchExpressions:\n  - {key: env, operator: In, values: [qa]}'),
    invalid: policyDocument('enforcer: BPF\nmode: AlwaysAllow', 'kind: Pod\nselector:\n  matchExpressions:\n  - key: env\n    operator: In'),
    expected: { code: 'required', pointer: '/spec/target/selector/matchExpressions/0/values', at: '^key: env' },
  },
  {
    constraint: 'selector Exists takes no values',
    valid: policyDocument('enforcer: BPF\nmode: AlwaysAllow', 'kind: Pod\nselector:\n  matchExpressions:\n  - {key: env, operator: Exists}'),
    invalid: policyDocument('enforcer: BPF\nmode: AlwaysAllow', 'kind: Pod\nselector:\n  matchExpressions:\n  - {key: env, operator: Exists, values: [qa]}'),
    expected: { code: 'constraint', pointer: '/spec/target/selector/matchExpressions/0/values', at: 'values: ^[qa]' },
  },
  {
    constraint: 'mode is one of the five modes',
    valid: mode('enforcer: AppArmor\nmode: RuntimeDefault'),
    invalid: mode('enforcer: AppArmor\nmode: Enforce'),
    expected: { code: 'invalid-value', pointer: '/spec/policy/mode', at: 'mode: ^Enforce' },
  },
  {
    constraint: 'enforcer is made only of enforcer names',
    valid: mode('enforcer: appArmorBPFseccomp\nmode: AlwaysAllow'),
    invalid: mode('enforcer: AppArmorFoo\nmode: AlwaysAllow'),
    expected: {
      code: 'invalid-value',
      pointer: '/spec/policy/enforcer',
      at: 'enforcer: ^AppArmorFoo',
      message: 'enforcer "AppArmorFoo": "Foo" after AppArmor is not an enforcer name; combine AppArmor, BPF, Seccomp, NetworkProxy',
    },
  },
  {
    constraint: 'enforcer names each enforcer once',
    valid: mode('enforcer: BPFSeccomp\nmode: AlwaysAllow'),
    invalid: mode('enforcer: BPFSeccompBPF\nmode: AlwaysAllow'),
    expected: { code: 'invalid-value', pointer: '/spec/policy/enforcer', at: 'enforcer: ^BPFSeccompBPF', message: /BPF more than once/ },
  },
  {
    constraint: 'EnhanceProtect needs enhanceProtect',
    valid: enhance('hardeningRules: [disable-cap-privileged]'),
    invalid: mode('enforcer: BPF\nmode: EnhanceProtect'),
    expected: { code: 'required', pointer: `${EP}`, at: '^enforcer: BPF' },
  },
  {
    constraint: 'BehaviorModeling needs modelingOptions',
    valid: mode('enforcer: AppArmorSeccomp\nmode: BehaviorModeling\nmodelingOptions:\n  duration: 30'),
    invalid: mode('enforcer: AppArmorSeccomp\nmode: BehaviorModeling'),
    expected: { code: 'required', pointer: '/spec/policy/modelingOptions', at: '^enforcer: AppArmorSeccomp' },
  },
  {
    constraint: 'BehaviorModeling duration is positive',
    valid: mode('enforcer: Seccomp\nmode: BehaviorModeling\nmodelingOptions:\n  duration: 1'),
    invalid: mode('enforcer: Seccomp\nmode: BehaviorModeling\nmodelingOptions:\n  duration: 0'),
    expected: { code: 'invalid-value', pointer: '/spec/policy/modelingOptions/duration', at: 'duration: ^0' },
  },
  {
    constraint: 'BehaviorModeling excludes NetworkProxy',
    valid: mode('enforcer: AppArmor\nmode: BehaviorModeling\nmodelingOptions: {duration: 5}'),
    invalid: mode('enforcer: AppArmorNetworkProxy\nmode: BehaviorModeling\nmodelingOptions: {duration: 5}'),
    expected: { code: 'constraint', pointer: '/spec/policy/enforcer', at: 'enforcer: ^AppArmorNetworkProxy' },
  },
  {
    constraint: 'DefenseInDepth needs defenseInDepth',
    valid: mode('enforcer: Seccomp\nmode: DefenseInDepth\ndefenseInDepth:\n  seccomp:\n    profileType: BehaviorModel'),
    invalid: mode('enforcer: Seccomp\nmode: DefenseInDepth'),
    expected: { code: 'required', pointer: '/spec/policy/defenseInDepth', at: '^enforcer: Seccomp' },
  },
  {
    constraint: 'DefenseInDepth with AppArmor needs defenseInDepth.appArmor',
    valid: mode('enforcer: AppArmor\nmode: DefenseInDepth\ndefenseInDepth:\n  appArmor:\n    profileType: BehaviorModel'),
    invalid: mode('enforcer: AppArmor\nmode: DefenseInDepth\ndefenseInDepth:\n  allowViolations: true'),
    expected: { code: 'required', pointer: '/spec/policy/defenseInDepth/appArmor', at: '^allowViolations: true' },
  },
  {
    constraint: 'DefenseInDepth with Seccomp needs defenseInDepth.seccomp',
    valid: mode('enforcer: Seccomp\nmode: DefenseInDepth\ndefenseInDepth:\n  seccomp: {profileType: BehaviorModel}'),
    invalid: mode('enforcer: Seccomp\nmode: DefenseInDepth\ndefenseInDepth:\n  appArmor: {profileType: BehaviorModel}'),
    expected: { code: 'required', pointer: '/spec/policy/defenseInDepth/seccomp', at: '^appArmor: {profileType' },
  },
  // vArmor's "DefenseInDepth excludes BPF" is not kept: armorkit's BPF enforces what it can of the model (docs/modeling.md).
  {
    constraint: 'profileType is BehaviorModel or Custom',
    valid: mode('enforcer: AppArmor\nmode: DefenseInDepth\ndefenseInDepth:\n  appArmor: {profileType: Custom, customProfile: "profile x {}"}'),
    invalid: mode('enforcer: AppArmor\nmode: DefenseInDepth\ndefenseInDepth:\n  appArmor: {profileType: Model}'),
    expected: { code: 'invalid-value', pointer: '/spec/policy/defenseInDepth/appArmor/profileType', at: 'profileType: ^Model' },
  },
  {
    constraint: 'profileType Custom needs a customProfile',
    valid: mode('enforcer: AppArmor\nmode: DefenseInDepth\ndefenseInDepth:\n  appArmor:\n    profileType: Custom\n    customProfile: "profile x {}"'),
    invalid: mode('enforcer: AppArmor\nmode: DefenseInDepth\ndefenseInDepth:\n  appArmor:\n    profileType: Custom\n    customProfile: "  "'),
    expected: { code: 'required', pointer: '/spec/policy/defenseInDepth/appArmor/customProfile', at: 'customProfile: ^"  "' },
  },
  {
    constraint: 'a custom seccomp profile is JSON',
    valid: mode('enforcer: Seccomp\nmode: DefenseInDepth\ndefenseInDepth:\n  seccomp:\n    profileType: Custom\n    customProfile: \'{"defaultAction": "SCMP_ACT_LOG"}\''),
    invalid: mode('enforcer: Seccomp\nmode: DefenseInDepth\ndefenseInDepth:\n  seccomp:\n    profileType: Custom\n    customProfile: \'{"defaultAction": }\''),
    expected: {
      code: 'invalid-value',
      pointer: '/spec/policy/defenseInDepth/seccomp/customProfile',
      at: "customProfile: ^'{",
      message: /^customProfile is not valid JSON: /,
    },
  },
  {
    constraint: 'a custom seccomp profile is an OCI LinuxSeccomp',
    valid: mode('enforcer: Seccomp\nmode: DefenseInDepth\ndefenseInDepth:\n  seccomp:\n    profileType: Custom\n    customProfile: \'{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["ptrace"], "action": "SCMP_ACT_ALLOW"}]}\''),
    invalid: mode('enforcer: Seccomp\nmode: DefenseInDepth\ndefenseInDepth:\n  seccomp:\n    profileType: Custom\n    customProfile: \'{"defaultAction": "SCMP_ACT_NOPE"}\''),
    expected: {
      code: 'invalid-value',
      pointer: '/spec/policy/defenseInDepth/seccomp/customProfile',
      at: "customProfile: ^'{",
      message: /not an OCI LinuxSeccomp profile: \/defaultAction: /,
    },
  },
  {
    constraint: 'destination ip and cidr are mutually exclusive',
    valid: destination('cidr: 10.0.0.0/8'),
    invalid: destination('ip: 10.0.0.1\ncidr: 10.0.0.0/8'),
    expected: { code: 'constraint', pointer: `${DEST}/cidr`, at: 'cidr: ^10.0.0.0/8' },
  },
  {
    constraint: 'destination needs ip, cidr or ports',
    valid: destination('ports: [{port: 443}]'),
    invalid: bpfRules('network:\n  egress:\n    toDestinations:\n    - qualifiers: [deny]'),
    expected: { code: 'required', pointer: DEST, at: '^qualifiers: [deny]' },
  },
  {
    constraint: 'destination ip is an IP literal or pod-self/unspecified/localhost',
    valid: destination('ip: "fdbd:dc01:ff:307:9329:268d:3a27:2ca7"'),
    invalid: destination('ip: 300.1.2.3'),
    expected: { code: 'invalid-value', pointer: `${DEST}/ip`, at: 'ip: ^300.1.2.3', message: /not an IPv4 or IPv6 address, nor one of pod-self, unspecified, localhost/ },
  },
  {
    constraint: 'destination cidr is a valid CIDR',
    valid: destination('cidr: "2001:db8::/32"'),
    invalid: destination('cidr: 10.0.0.0/33'),
    expected: { code: 'invalid-value', pointer: `${DEST}/cidr`, at: 'cidr: ^10.0.0.0/33', message: /prefix length 33 is larger than 32/ },
  },
  {
    constraint: 'port is 1-65535',
    valid: destination('ports: [{port: 65535}]'),
    invalid: destination('ports:\n- port: 0'),
    expected: { code: 'invalid-value', pointer: `${DEST}/ports/0/port`, at: 'port: ^0', message: 'port 0 is less than the minimum 1' },
  },
  {
    constraint: 'endPort is at least port',
    valid: destination('ports:\n- port: 443\n  endPort: 443'),
    invalid: destination('ports:\n- port: 443\n  endPort: 80'),
    expected: { code: 'constraint', pointer: `${DEST}/ports/0/endPort`, at: 'endPort: ^80', message: 'endPort 80 is less than port 443' },
  },
  {
    constraint: 'endPort only with port',
    valid: destination('ports:\n- port: 80\n  endPort: 90'),
    invalid: destination('ports:\n- endPort: 90'),
    expected: { code: 'required', pointer: `${DEST}/ports/0/port`, at: '^endPort: 90' },
  },
  {
    constraint: 'a destination has ports, never port/endPort of its own',
    valid: destination('ip: 10.0.0.1\nports: [{port: 80}]'),
    invalid: destination('ip: 10.0.0.1\nport: 80'),
    expected: { code: 'unknown-field', pointer: `${DEST}/port`, at: '^port: 80', message: 'unknown field "port"; did you mean "ports"?' },
  },
  {
    constraint: 'at most 16 ports per destination',
    valid: destination(`ports: [${Array.from({ length: 16 }, (_, i) => `{port: ${i + 1}}`).join(', ')}]`),
    invalid: destination(`ports: [${Array.from({ length: 17 }, (_, i) => `{port: ${i + 1}}`).join(', ')}]`),
    expected: { code: 'constraint', pointer: `${DEST}/ports`, at: 'ports: ^[{port: 1}', message: 'ports must have at most 16 items (it has 17)' },
  },
  {
    constraint: 'socket types and protocols are mutually exclusive',
    valid: socket('domains: [inet]\nprotocols: [udp]'),
    invalid: socket('types: [stream]\nprotocols: [tcp]'),
    expected: { code: 'constraint', pointer: `${BPF}/network/sockets/0/protocols`, at: 'protocols: ^[tcp]' },
  },
  {
    constraint: 'socket names are known',
    valid: socket('types: [raw, "*"]'),
    invalid: socket('domains: [inet4]'),
    expected: { code: 'invalid-value', pointer: `${BPF}/network/sockets/0/domains/0`, at: 'domains: [^inet4]', message: /did you mean "inet"/ },
  },
  {
    constraint: 'qualifiers are deny and/or audit',
    valid: file('/etc/shadow', '[read]', '[deny, audit]'),
    invalid: file('/etc/shadow', '[read]', '[allow]'),
    expected: { code: 'invalid-value', pointer: `${BPF}/files/0/qualifiers/0`, at: 'qualifiers: [^allow]' },
  },
  {
    constraint: 'file permissions come from all,*,read,r,write,w,exec,x,append,a',
    valid: file('/etc/shadow', '[r, w, a, x, "*"]'),
    invalid: file('/etc/shadow', '[read, delete]'),
    expected: { code: 'invalid-value', pointer: `${BPF}/files/0/permissions/1`, at: 'permissions: [read, ^delete]' },
  },
  {
    constraint: 'a * pattern has no /',
    valid: file('*.log'),
    invalid: file('/var/log/*.log'),
    expected: { code: 'constraint', pointer: `${BPF}/files/0/pattern`, at: 'pattern: ^"/var/log', message: /use \*\* to match across directories/ },
  },
  {
    constraint: '* and ** are not used together',
    valid: file('/**/sh'),
    invalid: file('/proc/**/*'),
    expected: { code: 'constraint', pointer: `${BPF}/files/0/pattern`, at: 'pattern: ^"/proc', message: /uses \* and \*\* together/ },
  },
  {
    constraint: '** is used at most once',
    valid: file('**ping'),
    invalid: file('/a/**/b/**'),
    expected: { code: 'constraint', pointer: `${BPF}/files/0/pattern`, at: 'pattern: ^"/a/', message: /uses \*\* 2 times/ },
  },
  {
    constraint: 'pattern prefix and suffix are under 64 bytes',
    valid: file(`/${'a'.repeat(62)}**`),
    invalid: file(`/${'a'.repeat(63)}**`),
    expected: { code: 'constraint', pointer: `${BPF}/files/0/pattern`, at: 'pattern: ^"/aaa', message: /64 bytes|at most 63/ },
  },
  {
    constraint: 'at most 64 BPF file rules',
    valid: bpfRules(`files:\n${Array.from({ length: 64 }, (_, i) => `- {qualifiers: [deny], pattern: /f${i}, permissions: [read]}`).join('\n')}`),
    invalid: bpfRules(`files:\n${Array.from({ length: 65 }, (_, i) => `- {qualifiers: [deny], pattern: /f${i}, permissions: [read]}`).join('\n')}`),
    expected: { code: 'constraint', pointer: `${BPF}/files/64`, at: '^{qualifiers: [deny], pattern: /f64,', message: /65 BPF file rules/ },
  },
  {
    constraint: 'at most 64 BPF exec rules (files and processes both count)',
    valid: bpfRules(`processes:\n${Array.from({ length: 64 }, (_, i) => `- {qualifiers: [deny], pattern: /p${i}, permissions: [exec]}`).join('\n')}`),
    invalid: bpfRules(
      `files:\n- {qualifiers: [deny], pattern: /x, permissions: [all]}\nprocesses:\n${Array.from({ length: 64 }, (_, i) => `- {qualifiers: [deny], pattern: /p${i}, permissions: [exec]}`).join('\n')}`,
    ),
    expected: { code: 'constraint', pointer: `${BPF}/processes/63`, at: '^{qualifiers: [deny], pattern: /p63,', message: /65 BPF exec rules/ },
  },
  {
    constraint: 'at most 64 BPF network rules (sockets and destinations together)',
    valid: bpfRules(`network:\n  egress:\n    toDestinations:\n${Array.from({ length: 64 }, (_, i) => `    - {qualifiers: [deny], ports: [{port: ${i + 1}}]}`).join('\n')}`),
    invalid: bpfRules(
      `network:\n  sockets:\n  - {qualifiers: [deny], protocols: [udp]}\n  egress:\n    toDestinations:\n${Array.from({ length: 64 }, (_, i) => `    - {qualifiers: [deny], ports: [{port: ${i + 1}}]}`).join('\n')}`,
    ),
    expected: { code: 'constraint', pointer: `${BPF}/network/egress/toDestinations/63`, at: '^{qualifiers: [deny], ports: [{port: 64}]}', message: /65 BPF network rules/ },
  },
  {
    constraint: 'at most 64 BPF mount rules',
    valid: bpfRules(`mounts:\n${Array.from({ length: 64 }, (_, i) => `- {qualifiers: [deny], sourcePattern: /m${i}, fstype: "*", flags: [all]}`).join('\n')}`),
    invalid: bpfRules(`mounts:\n${Array.from({ length: 65 }, (_, i) => `- {qualifiers: [deny], sourcePattern: /m${i}, fstype: "*", flags: [all]}`).join('\n')}`),
    expected: { code: 'constraint', pointer: `${BPF}/mounts/64`, at: '^{qualifiers: [deny], sourcePattern: /m64,', message: /65 BPF mount rules/ },
  },
  {
    constraint: 'mount fstype is under 16 bytes',
    valid: mount('fuse.sshfs-long', '[all]'),
    invalid: mount('fuse.sshfs-longer', '[all]'),
    expected: { code: 'constraint', pointer: `${BPF}/mounts/0/fstype`, at: 'fstype: ^"fuse', message: /17 bytes/ },
  },
  {
    constraint: 'mount flags are documented names',
    valid: mount('*', '[ro, B, make-rshared, umount]'),
    invalid: mount('*', '[ro, readonly]'),
    expected: { code: 'invalid-value', pointer: `${BPF}/mounts/0/flags/1`, at: 'flags: [ro, ^readonly]', message: /did you mean "read-only"/ },
  },
  {
    constraint: 'profile name fits in 63 bytes',
    valid: policyDocument('enforcer: BPF\nmode: AlwaysAllow').replace('name: demo', `name: ${'a'.repeat(51)}`),
    invalid: policyDocument('enforcer: BPF\nmode: AlwaysAllow').replace('name: demo', `name: ${'a'.repeat(52)}`),
    expected: { code: 'constraint', pointer: '/metadata/name', at: 'name: ^aaaa', message: /64 bytes, over the limit of 63; shorten metadata.name to at most 51 bytes/ },
  },
  {
    constraint: 'proxyPort differs from proxyAdminPort',
    valid: proxy('proxyPort: 15001\nproxyAdminPort: 15002'),
    invalid: proxy('proxyPort: 15000'),
    expected: { code: 'constraint', pointer: `${PROXY}/proxyPort`, at: 'proxyPort: ^15000', message: /both 15000/ },
  },
  {
    constraint: 'proxy resource limits are at least the requests',
    valid: proxy('resources:\n  requests: {cpu: 100m, memory: 128Mi}\n  limits: {cpu: "1", memory: 1Gi}'),
    invalid: proxy('resources:\n  requests: {cpu: 500m, memory: 128Mi}\n  limits: {cpu: 200m, memory: 1Gi}'),
    expected: { code: 'constraint', pointer: `${PROXY}/resources/limits/cpu`, at: 'cpu: ^200m', message: 'cpu limit 200m is less than the request 500m' },
  },
  {
    constraint: 'MITM header mutations name listed domains',
    valid: proxy('mitm:\n  domains: [api.example.com]\n  headerMutations:\n  - domain: api.example.com\n    headers: [{name: X-A, value: b}]'),
    invalid: proxy('mitm:\n  domains: [api.example.com]\n  headerMutations:\n  - domain: other.example.com\n    headers: [{name: X-A, value: b}]'),
    expected: { code: 'constraint', pointer: `${PROXY}/mitm/headerMutations/0/domain`, at: 'domain: ^other' },
  },
  {
    constraint: 'a MITM header has a value or a secretRef',
    valid: proxy('mitm:\n  domains: [a.example]\n  headerMutations:\n  - domain: a.example\n    headers:\n    - {name: Authorization, secretRef: {name: s, key: k}}'),
    invalid: proxy('mitm:\n  domains: [a.example]\n  headerMutations:\n  - domain: a.example\n    headers:\n    - {name: Authorization, value: v, secretRef: {name: s, key: k}}'),
    expected: { code: 'constraint', pointer: `${PROXY}/mitm/headerMutations/0/headers/0/secretRef`, at: 'secretRef: ^{name: s' },
  },
  {
    constraint: 'proxy hosts carry no YAML-unsafe characters',
    valid: httpRule('hosts: ["*.example.com"]'),
    invalid: httpRule('hosts: ["evil\\"host"]'),
    expected: { code: 'invalid-value', pointer: `${EGRESS}/httpRules/0/match/hosts/0`, at: 'hosts: [^"evil', message: /contains a double quote/ },
  },
  {
    constraint: 'proxy paths carry no YAML-unsafe characters',
    valid: httpRule('paths: [{prefix: /api/}]'),
    invalid: httpRule('paths: [{prefix: "/api\\u2028x"}]'),
    expected: { code: 'invalid-value', pointer: `${EGRESS}/httpRules/0/match/paths/0/prefix`, at: 'prefix: ^"/api', message: /U\+2028/ },
  },
  {
    constraint: 'proxy methods carry no YAML-unsafe characters',
    valid: httpRule('methods: [GET, POST]'),
    invalid: httpRule('methods: ["GET\\\\"]'),
    expected: { code: 'invalid-value', pointer: `${EGRESS}/httpRules/0/match/methods/0`, at: 'methods: [^"GET', message: /backslash/ },
  },
  {
    constraint: 'MITM header names carry no YAML-unsafe characters',
    valid: proxy('mitm:\n  domains: [a.example]\n  headerMutations:\n  - domain: a.example\n    headers: [{name: X-Ok, value: v}]'),
    invalid: proxy('mitm:\n  domains: [a.example]\n  headerMutations:\n  - domain: a.example\n    headers: [{name: "X-\\tBad", value: v}]'),
    expected: { code: 'invalid-value', pointer: `${PROXY}/mitm/headerMutations/0/headers/0/name`, at: 'name: ^"X-', message: /U\+0009/ },
  },
  {
    constraint: 'proxy defaultAction is deny or allow, in any case',
    valid: proxy('proxyUID: 1337', 'defaultAction: DENY'),
    invalid: proxy('proxyUID: 1337', 'defaultAction: block'),
    expected: { code: 'invalid-value', pointer: `${EGRESS}/defaultAction`, at: 'defaultAction: ^block' },
  },
  {
    constraint: 'proxy qualifiers allow and deny exclude each other',
    valid: proxy('proxyUID: 1337', 'defaultAction: deny\nrules:\n- {qualifiers: [allow, audit], cidr: 10.0.0.0/8}'),
    invalid: proxy('proxyUID: 1337', 'defaultAction: deny\nrules:\n- {qualifiers: [allow, deny], cidr: 10.0.0.0/8}'),
    expected: { code: 'constraint', pointer: `${EGRESS}/rules/0/qualifiers`, at: 'qualifiers: ^[allow, deny]' },
  },
  {
    constraint: 'appArmorRawRules lines end with a comma',
    valid: enhance('appArmorRawRules:\n- rules: |\n    # read-only etc\n    audit deny /etc/** w,\n\n    deny /proc/kcore r, # comment\n', 'AppArmor'),
    invalid: enhance('appArmorRawRules:\n- rules: |\n    audit deny /etc/** w,\n    deny /proc/kcore r\n', 'AppArmor'),
    expected: {
      code: 'constraint',
      pointer: `${EP}/appArmorRawRules/0/rules`,
      at: 'rules: ^|',
      message: 'line 2 "deny /proc/kcore r" does not end with a comma; every AppArmor rule must',
    },
  },
  {
    constraint: 'a service selected by name needs its namespace',
    valid: bpfRules('network:\n  egress:\n    toServices:\n    - {qualifiers: [deny], name: api, namespace: prod}'),
    invalid: bpfRules('network:\n  egress:\n    toServices:\n    - {qualifiers: [deny], name: api}'),
    expected: { code: 'required', pointer: `${BPF}/network/egress/toServices/0/namespace`, at: '^{qualifiers: [deny], name: api}' },
  },
  {
    constraint: 'service name and serviceSelector are mutually exclusive',
    valid: bpfRules('network:\n  egress:\n    toServices:\n    - {qualifiers: [deny], serviceSelector: {matchLabels: {app: x}}}'),
    invalid: bpfRules('network:\n  egress:\n    toServices:\n    - {qualifiers: [deny], name: api, namespace: p, serviceSelector: {matchLabels: {app: x}}}'),
    expected: { code: 'constraint', pointer: `${BPF}/network/egress/toServices/0/serviceSelector`, at: 'serviceSelector: ^{matchLabels' },
  },
  {
    constraint: 'values have the right type',
    valid: mode('enforcer: Seccomp\nmode: BehaviorModeling\nmodelingOptions: {duration: 3}'),
    invalid: mode('enforcer: Seccomp\nmode: BehaviorModeling\nmodelingOptions: {duration: "3"}'),
    expected: { code: 'invalid-type', pointer: '/spec/policy/modelingOptions/duration', at: 'duration: ^"3"', message: 'duration must be a number, got "3"' },
  },
  {
    constraint: 'unknown fields are errors, with a suggestion',
    valid: enhance('auditViolations: true'),
    invalid: enhance('auditViolation: true'),
    expected: { code: 'unknown-field', pointer: `${EP}/auditViolation`, at: '^auditViolation: true', message: 'unknown field "auditViolation"; did you mean "auditViolations"?' },
  },
  {
    constraint: 'apiVersion of a vArmor kind is crd.varmor.org/v1beta1',
    valid: policyDocument('enforcer: BPF\nmode: AlwaysAllow'),
    invalid: policyDocument('enforcer: BPF\nmode: AlwaysAllow').replace('v1beta1', 'v1'),
    expected: { code: 'invalid-value', pointer: '/apiVersion', at: 'apiVersion: ^crd', message: 'apiVersion must be "crd.varmor.org/v1beta1", got "crd.varmor.org/v1"' },
  },
];

describe('vArmor constraints', () => {
  describe.each(cases)('$constraint', ({ valid, invalid, expected }) => {
    it('accepts the valid case', () => {
      expectValid(valid);
    });
    it(`rejects the invalid case with ${expected.code} at ${expected.pointer}`, () => {
      expectError(invalid, expected);
    });
  });

  it('rejects the docs typo `egresses` with a message that names `egress`', () => {
    const text = bpfRules('network:\n  egresses:\n  - ip: 10.0.0.1');
    const error = expectError(text, { code: 'unknown-field', pointer: `${BPF}/network/egresses`, at: '^egresses:' });
    expect(error.message).toContain('the API field is "egress"');
  });

  it('accepts every IP form vArmor documents', () => {
    for (const ip of ['pod-self', 'unspecified', 'localhost', '::1', '10.1.2.3', '::ffff:10.1.2.3']) {
      expectValid(destination(`ip: "${ip}"`));
    }
    for (const ip of ['10.1.2', '0x0a.1.2.3', 'fe80::1%eth0', 'pod_self', '']) {
      expect(load(destination(`ip: "${ip}"`)).errors.map((e) => e.pointer)).toEqual([`${DEST}/ip`]);
    }
  });

  it('reports every problem of a document, not only the first', () => {
    const text = policyDocument(
      'enforcer: AppArmorFoo\nmode: EnhanceProtect\nenhanceProtect:\n  bpfRawRules:\n    files:\n    - {qualifiers: [deny], pattern: "/a/*/b", permissions: [read]}\n  auditViolation: true',
      'kind: Deploymnt\nname: web',
    );
    const pointers = load(text).errors.map((e) => e.pointer).sort();
    expect(pointers).toEqual([
      '/spec/policy/enforcer',
      `${EP}/auditViolation`,
      `${BPF}/files/0/pattern`,
      '/spec/target/kind',
    ].sort());
  });

  it('still runs cross-field checks when a sibling field is malformed', () => {
    const text = policyDocument('enforcer: BPF\nmode: EnhanceProtect\nmodelingOptions: {duration: -1}');
    const pointers = load(text).errors.map((e) => e.pointer).sort();
    expect(pointers).toEqual(['/spec/policy/enhanceProtect', '/spec/policy/modelingOptions/duration']);
  });
});
