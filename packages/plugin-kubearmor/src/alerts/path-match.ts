import type { PathMatch } from '../semantics/rules.js';

/**
 * An AppArmor glob (what KubeArmor's matchPatterns are) as a full-match RegExp: `**` any characters, `*` and `?` within
 * one path component, `[...]` / `[^...]` a character class, `{a,b}` alternatives.
 */
export function globRegExp(pattern: string): RegExp {
  let out = '';
  let depth = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charAt(i);
    if (c === '*') {
      if (pattern.charAt(i + 1) === '*') {
        out += '.*';
        i++;
      } else out += '[^/]*';
    } else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const close = pattern.indexOf(']', i + 1);
      if (close < 0) out += '\\[';
      else {
        const body = pattern.slice(i + 1, close).replace(/\\/g, '\\\\');
        out += body.startsWith('^') ? `[^/${body.slice(1)}]` : `[${body}]`;
        i = close;
      }
    } else if (c === '{') {
      out += '(?:';
      depth++;
    } else if (c === '}' && depth > 0) {
      out += ')';
      depth--;
    } else if (c === ',' && depth > 0) out += '|';
    else out += c.replace(/[.+^$()|\\/]/g, (s) => `\\${s}`);
  }
  return new RegExp(`^${out}${')'.repeat(depth)}$`);
}

const basename = (path: string) => path.slice(path.lastIndexOf('/') + 1);

/** Does a process or file rule's match cover `path`? KubeArmor's matcher (reference §2.4): a directory covers itself and its direct children, or everything below when recursive. */
export function pathMatches(match: PathMatch, path: string): boolean {
  switch (match.kind) {
    case 'path':
      return path === match.path;
    case 'execname':
      return basename(path) === match.name;
    case 'dir': {
      if (path === match.dir || `${path}/` === match.dir) return true;
      if (!path.startsWith(match.dir)) return false;
      return match.recursive || !path.slice(match.dir.length).replace(/\/$/, '').includes('/');
    }
    case 'pattern':
      return globRegExp(match.pattern).test(path);
  }
}
