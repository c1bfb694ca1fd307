#!/usr/bin/env node
// `armorkit run` with seccomp: `node install-filter-and-exec.js FILE FLAGS -- CMD...` reads a classic-BPF program
// (struct sock_filter[]) from FILE, installs it on itself with seccomp(2) — with SECCOMP_FILTER_FLAG_LOG when the policy
// audits denials, which bubblewrap's prctl cannot do — and becomes CMD, which keeps the filter.
import { readFileSync } from 'node:fs';
import { execCommand, installFilter } from './libc.js';

function die(message: string): never {
  process.stderr.write(`armorkit (seccomp): ${message}\n`);
  process.exit(126);
}

const [filterFile, flagsText, separator, ...command] = process.argv.slice(2);
if (!filterFile || !flagsText || separator !== '--' || command.length === 0) die('usage: install-filter-and-exec FILTER_FILE FLAGS -- COMMAND...');
const program = readFileSync(filterFile);
if (program.length === 0 || program.length % 8 !== 0) die(`${filterFile} is ${program.length} bytes, not a sock_filter array`);
const installed = installFilter(program, Number(flagsText));
if (installed !== 0) die(`seccomp(SECCOMP_SET_MODE_FILTER) failed with errno ${installed}`);
const errno = execCommand(command);
die(`cannot run ${command[0]}: errno ${errno}`);
