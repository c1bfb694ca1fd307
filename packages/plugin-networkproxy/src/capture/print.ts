import { type Result, fail, ok } from '@armorkit/core';
import { networkProxyErrors } from '../errors.js';
import { type CaptureRuleset, type CaptureSettings, type IpFamily, TABLES, captureRuleset, captureSettingsProblem, ruleWords } from './ruleset.js';

/**
 * The ruleset in iptables-restore's format, for `iptables-restore --noflush` (each table commits at once; other rules
 * stay). A chain line creates our chain, or empties it when it exists.
 */
export function restoreText(ruleset: CaptureRuleset): string {
  const lines: string[] = [];
  for (const table of TABLES) {
    const rules = ruleset.rules.filter((rule) => rule.table === table);
    if (rules.length === 0) continue;
    lines.push(`*${table}`);
    for (const chain of ruleset.chains.filter((c) => c.table === table)) lines.push(`:${chain.name} - [0:0]`);
    for (const rule of rules) lines.push(['-A', rule.chain, ...ruleWords(rule)].join(' '));
    lines.push('COMMIT');
  }
  return `${lines.join('\n')}\n`;
}

/** The removal of the ruleset, for `iptables-restore --noflush`: the rules in built-in chains, then our chains. */
export function removalText(ruleset: CaptureRuleset): string {
  const lines: string[] = [];
  for (const table of TABLES) {
    const chains = ruleset.chains.filter((c) => c.table === table);
    const own = new Set(chains.map((c) => c.name));
    const rules = ruleset.rules.filter((rule) => rule.table === table && !own.has(rule.chain));
    if (rules.length === 0 && chains.length === 0) continue;
    lines.push(`*${table}`);
    for (const rule of rules) lines.push(['-D', rule.chain, ...ruleWords(rule)].join(' '));
    // Declaring a chain empties it; only an empty chain can be deleted.
    for (const chain of chains) lines.push(`:${chain.name} - [0:0]`);
    for (const chain of chains) lines.push(`-X ${chain.name}`);
    lines.push('COMMIT');
  }
  return `${lines.join('\n')}\n`;
}

export const RESTORE_COMMAND: Record<IpFamily, string> = { 4: 'iptables-restore', 6: 'ip6tables-restore' };
const COMMAND: Record<IpFamily, string> = { 4: 'iptables', 6: 'ip6tables' };

/**
 * A POSIX shell script for an init container with NET_ADMIN: vArmor's script, command for command (`iptables -t nat
 * -N ...`, then the rules; the same with ip6tables), stopping at the first failure.
 */
export function captureScript(settings: CaptureSettings, families: readonly IpFamily[] = [4, 6]): Result<string> {
  const problem = captureSettingsProblem(settings);
  if (problem) return fail([networkProxyErrors.error('networkproxy-capture-failed', '', problem)]);
  const lines = ['#!/bin/sh', '# armorkit NetworkProxy capture rules: outbound TCP to the proxy, except its own UID and loopback.', 'set -eu'];
  for (const family of families) {
    const ruleset = captureRuleset(settings, family);
    for (const chain of ruleset.chains) lines.push(`${COMMAND[family]} -t ${chain.table} -N ${chain.name}`);
    for (const rule of ruleset.rules) lines.push([COMMAND[family], '-t', rule.table, '-A', rule.chain, ...ruleWords(rule)].join(' '));
  }
  return ok(`${lines.join('\n')}\n`);
}
