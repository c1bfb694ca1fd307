import type { IncludeDirective } from './lexer.js';
import type { AbstractionInclude, GrammarProblem } from './tree.js';

/**
 * The abstractions a policy may include. Each one, expanded with its nested includes on the build machine, holds no
 * exec transition to another profile, no change_profile, no profile or hat, no rlimit (test/grammar-abstractions.test.ts
 * checks it with `apparmor_parser -p`); stock ones that do (opencl: `Px ->`, ubuntu-browsers: `Cx ->`, …) are left out.
 */
export const ALLOWED_ABSTRACTIONS: ReadonlySet<string> = new Set([
  'apache2-common', 'aspell', 'audio', 'authentication', 'base', 'bash', 'consoles', 'crypto', 'dbus', 'dbus-session',
  'dbus-session-strict', 'dbus-strict', 'dovecot-common', 'dri-common', 'enchant', 'fonts', 'hosts_access', 'kerberosclient',
  'ldapclient', 'libpam-systemd', 'likewise', 'mdns', 'mesa', 'mysql', 'nameservice', 'nis', 'nss-systemd', 'openssl',
  'p11-kit', 'perl', 'php', 'php-worker', 'postfix-common', 'private-files', 'private-files-strict', 'python', 'ruby', 'samba',
  'ssl_certs', 'ssl_keys', 'svn-repositories', 'user-tmp', 'vulkan', 'web-data', 'winbind', 'wutmp',
]);

/** `include <abstractions/NAME>` for an allowed NAME; every other include form is refused. */
export function readAbstractionInclude(directive: IncludeDirective): AbstractionInclude | GrammarProblem {
  const at = { line: directive.line, column: directive.column };
  if (directive.ifExists) return { ...at, message: '"include if exists" is not allowed (include <abstractions/NAME> of the allow-list)' };
  const name = /^<abstractions\/([A-Za-z0-9_.-]+)>$/.exec(directive.target)?.[1];
  if (name === undefined) return { ...at, message: `only <abstractions/NAME> of the allow-list may be included, not ${directive.target}` };
  if (!ALLOWED_ABSTRACTIONS.has(name)) return { ...at, message: `<abstractions/${name}> is not on the allow-list of abstractions (${[...ALLOWED_ABSTRACTIONS].join(', ')})` };
  return { kind: 'include', ...at, name };
}
