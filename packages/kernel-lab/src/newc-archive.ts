/** One entry of an initramfs: a directory, a regular file, a symbolic link or a character device. */
export type ArchiveEntry =
  | { kind: 'directory'; path: string; mode?: number }
  | { kind: 'file'; path: string; data: Buffer; mode?: number }
  | { kind: 'symlink'; path: string; target: string }
  | { kind: 'character-device'; path: string; major: number; minor: number; mode?: number };

const fileType = { directory: 0o040000, file: 0o100000, symlink: 0o120000, 'character-device': 0o020000 } as const;
const defaultMode = { directory: 0o755, file: 0o644, symlink: 0o777, 'character-device': 0o600 } as const;

function hex8(value: number): string {
  return value.toString(16).padStart(8, '0');
}

function padTo4(length: number): Buffer {
  return Buffer.alloc((4 - (length % 4)) % 4);
}

function header(fields: {
  inode: number;
  mode: number;
  links: number;
  size: number;
  rdevMajor: number;
  rdevMinor: number;
  nameSize: number;
}): string {
  // newc: magic, ino, mode, uid, gid, nlink, mtime, filesize, devmajor, devminor, rdevmajor, rdevminor, namesize, check.
  // mtime 0 and uid/gid 0 keep the archive byte-identical for identical inputs.
  return (
    '070701' +
    [fields.inode, fields.mode, 0, 0, fields.links, 0, fields.size, 0, 0, fields.rdevMajor, fields.rdevMinor, fields.nameSize, 0]
      .map(hex8)
      .join('')
  );
}

function record(inode: number, mode: number, links: number, name: string, data: Buffer, rdev = { major: 0, minor: 0 }): Buffer {
  const nameBytes = Buffer.from(`${name}\0`);
  const head = Buffer.from(
    header({ inode, mode, links, size: data.length, rdevMajor: rdev.major, rdevMinor: rdev.minor, nameSize: nameBytes.length }),
    'ascii',
  );
  const headAndName = Buffer.concat([head, nameBytes]);
  return Buffer.concat([headAndName, padTo4(headAndName.length), data, padTo4(data.length)]);
}

/** An uncompressed newc ("070701") cpio archive, the format the kernel unpacks as an initramfs. */
export function newcArchive(entries: readonly ArchiveEntry[]): Buffer {
  const parts: Buffer[] = [];
  entries.forEach((entry, index) => {
    const inode = index + 1;
    const name = entry.path.replace(/^\/+/, '');
    const permissions = ('mode' in entry && entry.mode !== undefined ? entry.mode : defaultMode[entry.kind]) & 0o7777;
    const mode = fileType[entry.kind] | permissions;
    switch (entry.kind) {
      case 'directory':
        parts.push(record(inode, mode, 2, name, Buffer.alloc(0)));
        break;
      case 'file':
        parts.push(record(inode, mode, 1, name, entry.data));
        break;
      case 'symlink':
        parts.push(record(inode, mode, 1, name, Buffer.from(entry.target)));
        break;
      case 'character-device':
        parts.push(record(inode, mode, 1, name, Buffer.alloc(0), { major: entry.major, minor: entry.minor }));
        break;
    }
  });
  parts.push(record(0, 0, 1, 'TRAILER!!!', Buffer.alloc(0)));
  return Buffer.concat(parts);
}
