// The script of the init container that gives the proxy its secrets: Kubernetes makes a Secret volume's files
// root's (group: the pod's fsGroup, which every container of the pod shares), so a proxy running as its own UID
// could read them only if they were readable by all. The init container (root, CHOWN alone) copies them into a
// memory-backed emptyDir that only the sidecar mounts, each file 0400 and each directory 0500, owned by the proxy's UID.
import { posix } from 'node:path';

/** One file to copy: an absolute source (a Secret volume's file) and a target relative to the private directory. */
export interface PrivateFile {
  source: string;
  target: string;
}

const SAFE_PART = /^[-._a-zA-Z0-9]+$/;

/** A shell word for a path made of checked parts (Secret names and keys): quoted all the same. */
const quoted = (path: string): string => `'${path.replace(/'/g, `'\\''`)}'`;

function checkedParts(path: string, what: string): string[] {
  const parts = path.split('/').filter((part) => part !== '');
  if (parts.length === 0 || parts.some((part) => !SAFE_PART.test(part) || part === '.' || part === '..')) {
    throw new RangeError(`private files: unexpected ${what} ${JSON.stringify(path)}`);
  }
  return parts;
}

/**
 * A POSIX shell script copying `files` under `directory`, then handing each file (0400) and directory (0500,
 * deepest first) to `uid`: with files before their directories, root needs no capability but CHOWN (it owns what it
 * walks through until the end). The sources are read through the Secret volume's symbolic links (`cp` follows them).
 */
export function privateFilesScript(directory: string, files: readonly PrivateFile[], uid: number): string {
  checkedParts(directory, 'directory');
  if (!Number.isInteger(uid) || uid < 0) throw new RangeError(`private files: unexpected UID ${uid}`);
  const targets = files.map((file) => {
    checkedParts(file.source, 'source');
    return { source: file.source, parts: checkedParts(file.target, 'target') };
  });
  const directories = new Set<string>();
  for (const target of targets) {
    for (let depth = 1; depth < target.parts.length; depth++) directories.add(target.parts.slice(0, depth).join('/'));
  }
  const under = (relative: string): string => quoted(posix.join(directory, relative));
  // Deepest first, so a directory is handed over after everything in it.
  const ordered = [...directories].sort((a, b) => b.split('/').length - a.split('/').length || a.localeCompare(b));
  const lines = [
    '#!/bin/sh',
    "# armorkit NetworkProxy: the proxy's secrets, readable by its UID alone.",
    'set -eu',
    'umask 077',
    ...[...directories].sort().map((relative) => `mkdir -p ${under(relative)}`),
    ...targets.map((target) => `cp ${quoted(target.source)} ${under(target.parts.join('/'))}`),
    ...targets.flatMap((target) => [`chmod 0400 ${under(target.parts.join('/'))}`, `chown ${uid}:${uid} ${under(target.parts.join('/'))}`]),
    ...ordered.flatMap((relative) => [`chmod 0500 ${under(relative)}`, `chown ${uid}:${uid} ${under(relative)}`]),
  ];
  return `${lines.join('\n')}\n`;
}
