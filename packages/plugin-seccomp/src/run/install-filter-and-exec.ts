#!/usr/bin/env node
// `armorkit run` with seccomp: `node install-filter-and-exec.js FD FLAGS -- CMD...` reads a classic-BPF program
// (struct sock_filter[]) from FD, installs it on itself with seccomp(2) — with SECCOMP_FILTER_FLAG_LOG when the policy
// audits denials, which bubblewrap's prctl cannot do — and becomes CMD, which keeps the filter.
import { closeSync, readFileSync } from 'node:fs';
import { execCommand, installFilter } from './libc.js';

function die(message: string): never {
  process.stderr.write(`armorkit (seccomp): ${message}\n`);
  process.exit(126);
}

const [fdText, flagsText, separator, ...command] = process.argv.slice(2);
if (!fdText || !flagsText || separator !== '--' || command.length === 0) die('usage: install-filter-and-exec FD FLAGS -- COMMAND...');
const fd = Number(fdText);
const program = readFileSync(fd);
closeSync(fd);
if (program.length === 0 || program.length % 8 !== 0) die(`the filter on fd ${fd} is ${program.length} bytes, not a sock_filter array`);
const installed = installFilter(program, Number(flagsText));
if (installed !== 0) die(`seccomp(SECCOMP_SET_MODE_FILTER) failed with errno ${installed}`);
const errno = execCommand(command);
die(`cannot run ${command[0]}: errno ${errno}`);
