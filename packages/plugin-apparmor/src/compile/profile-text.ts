/** Where a line of profile text comes from, so parser errors can be reported against the policy. */
export interface LineOrigin {
  /** JSON pointer of the policy field that produced the line (`` for armorkit's own template lines). */
  pointer: string;
  /** For people: `template`, `rule disable-shell`, `raw rule line 2`, ... */
  source: string;
  /** For a line printed from a statement of a policy field's text: where the statement is in that text (1-based). */
  line?: number;
  column?: number;
}

/** A disk-device line left for the loader to expand from /proc/partitions (reference §2.9). */
export interface DiskDeviceMarker {
  /** 1-based line of the marker comment in the profile text. */
  line: number;
  kind: 'access' | 'mount';
  /** Qualifier prefix and indentation the expanded lines get. */
  prefix: string;
  indent: string;
}

export const TEMPLATE: LineOrigin = Object.freeze({ pointer: '', source: 'template' });

/** Profile text built line by line, remembering each line's origin. */
export class ProfileText {
  readonly lines: string[] = [];
  readonly origins: LineOrigin[] = [];
  readonly diskDevices: DiskDeviceMarker[] = [];
  /** Child profiles this text declares (`child_0`, …), for the backstop's expected profile set. */
  readonly children: string[] = [];
  /** The exec transition lines this text writes (`/bin/grep cx -> child_0,`), the only ones the profile may hold. */
  readonly transitions: string[] = [];

  add(line: string, origin: LineOrigin = TEMPLATE): this {
    this.lines.push(line);
    this.origins.push(origin);
    return this;
  }

  addAll(lines: readonly string[], origin: LineOrigin = TEMPLATE): this {
    for (const line of lines) this.add(line, origin);
    return this;
  }

  blank(): this {
    return this.add('');
  }

  /** Appends another text, indented, keeping its origins and markers. */
  append(other: ProfileText, indent = ''): this {
    const offset = this.lines.length;
    other.lines.forEach((line, i) => this.add(line === '' ? '' : indent + line, other.origins[i] ?? TEMPLATE));
    for (const marker of other.diskDevices) {
      this.diskDevices.push({ ...marker, line: marker.line + offset, indent: indent + marker.indent });
    }
    this.children.push(...other.children);
    this.transitions.push(...other.transitions);
    return this;
  }

  /** `profile NAME flags=… {`, recorded as a child the profile declares. */
  openChild(name: string, flags: string): this {
    this.children.push(name);
    return this.add(`profile ${name} ${flags} {`);
  }

  /** `TARGET cx -> CHILD,`, recorded as a transition compile wrote. */
  addTransition(target: string, child: string): this {
    const line = `${target} cx -> ${child},`;
    this.transitions.push(line);
    return this.add(line);
  }

  addDiskDeviceMarker(kind: 'access' | 'mount', prefix: string, indent: string, origin: LineOrigin): this {
    this.add(`${indent}${diskDeviceMarkerText(kind, prefix)}`, origin);
    this.diskDevices.push({ line: this.lines.length, kind, prefix, indent });
    return this;
  }

  get length(): number {
    return this.lines.length;
  }

  toString(): string {
    return this.lines.join('\n') + '\n';
  }
}

const MARKER = /^(\s*)# disk devices \(one line per \/proc\/partitions entry when loaded\): (.*?)(\/dev\/<disk> rw,|mount \/dev\/<disk>,)$/;

/** The marker diskDeviceMarkerText wrote on a line (1-based `line`), read back from a profile's text. */
export function readDiskDeviceMarker(text: string, line: number): DiskDeviceMarker | undefined {
  const found = MARKER.exec(text);
  if (!found) return undefined;
  const [, indent = '', prefix = '', rule = ''] = found;
  return { line, kind: rule.startsWith('mount') ? 'mount' : 'access', prefix, indent };
}

/** A comment, so the text is valid AppArmor before expansion; only lines recorded in `diskDevices` are expanded. */
export function diskDeviceMarkerText(kind: 'access' | 'mount', prefix: string): string {
  const rule = kind === 'access' ? '/dev/<disk> rw,' : 'mount /dev/<disk>,';
  return `# disk devices (one line per /proc/partitions entry when loaded): ${prefix}${rule}`;
}
