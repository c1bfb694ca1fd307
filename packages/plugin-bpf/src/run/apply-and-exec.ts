#!/usr/bin/env node
// `armorkit run` with BPF: run as `unshare -m -- node apply-and-exec.js FILE NS_FILE -- CMD...`. The process is in
// a mount namespace of its own; it applies the profile read from FILE to that namespace, notes the namespace
// in NS_FILE (so the profile can be removed afterwards), then becomes CMD. CMD and its children are confined.
import { readFileSync, writeFileSync } from 'node:fs';
import { deserializeEntries } from '../encode/serialize.js';
import { BpfEnforcer } from '../loader/enforcer.js';
import { mountNamespaceOf } from '../loader/mount-namespace.js';
import { execCommand } from './exec.js';

function die(message: string): never {
  process.stderr.write(`armorkit (BPF): ${message}\n`);
  process.exit(126);
}

const [profileFile, namespaceFile, separator, ...command] = process.argv.slice(2);
if (!profileFile || !namespaceFile || separator !== '--' || command.length === 0) die('usage: apply-and-exec PROFILE_FILE NS_FILE -- COMMAND...');
const entries = deserializeEntries(readFileSync(profileFile));
if ('problem' in entries) die(entries.problem);
const enforcer = BpfEnforcer.openAttached(process.env.ARMORKIT_BPF_PIN ? { pinDirectory: process.env.ARMORKIT_BPF_PIN } : {});
if (!enforcer.ok) die(enforcer.error.message);
const namespace = mountNamespaceOf('self');
writeFileSync(namespaceFile, `${namespace}\n`);
const applied = enforcer.value.applyProfile(namespace, entries);
enforcer.value.close();
if (!applied.ok) die(applied.error.message);
const errno = execCommand(command);
die(`cannot run ${command[0]}: errno ${errno}`);
