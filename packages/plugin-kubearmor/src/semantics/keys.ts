import type { KubeArmorRule, PathMatch, PathRule } from './rules.js';

/** The entity a rule is about, as KubeArmor keys its rule tables (reference §2.3): one table per class. */
export function entityKey(rule: KubeArmorRule): string {
  switch (rule.class) {
    case 'process':
    case 'file':
      return `${rule.class}:${matchText(rule.match)}`;
    case 'network':
      return `network:${rule.protocol}`;
    case 'capabilities':
      return `capabilities:${rule.capability}`;
    case 'syscalls':
      return `syscalls:${rule.syscalls.join(',')}:${rule.path?.path ?? ''}`;
  }
}

/** The path, directory, pattern or `/**\/name` a path rule is written as. */
export function matchText(match: PathMatch): string {
  switch (match.kind) {
    case 'path':
      return match.path;
    case 'dir':
      return match.dir;
    case 'pattern':
      return match.pattern;
    case 'execname':
      return `/**/${match.name}`;
  }
}

/**
 * Whether `rule` is covered by directory rule `dir` of the same class: a non-recursive directory covers its direct
 * children, a recursive one everything below it (KubeArmor's checkIfGlobalRuleToBeAdded and alert matcher).
 */
export function directoryCovers(dir: PathRule, rule: PathRule): boolean {
  if (dir.class !== rule.class || dir.match.kind !== 'dir') return false;
  const target = rule.match.kind === 'path' ? rule.match.path : rule.match.kind === 'dir' ? rule.match.dir : undefined;
  if (target === undefined) return false;
  return pathUnderDirectory(target, dir.match.dir, dir.match.recursive);
}

/** `/a/b/c` under `/a/b/` (direct child) or, recursive, under `/a/`; the directory itself counts (`/a/b` for `/a/b/`). */
export function pathUnderDirectory(path: string, dir: string, recursive: boolean): boolean {
  if (path === dir || `${path}/` === dir) return true;
  if (!path.startsWith(dir)) return false;
  if (recursive) return true;
  const rest = path.slice(dir.length).replace(/\/$/, '');
  return rest !== '' && !rest.includes('/');
}
