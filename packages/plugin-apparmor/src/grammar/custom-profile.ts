import { type LexItem, type Token, lex } from './lexer.js';
import { printStatement } from './print.js';
import { sortProblems } from './raw-rules.js';
import { readStatements } from './statements.js';
import type { GrammarProblem, RawStatement } from './tree.js';
import { PROFILE_FLAGS } from './vocabulary.js';

/**
 * A DefenseInDepth custom profile, read: `[abi <abi/3.0>,] [include <tunables/global>]`, exactly one
 * `profile <profileName> [flags=(…)] {` without attachment, a body of the raw-rule statement forms, and nothing
 * after its `}`. Loading replaces every profile a file declares, so a second profile, a child or a hat is refused;
 * armorkit adds the child profiles for targets itself.
 */
export interface CustomProfileTree {
  profileName: string;
  /** Sorted, each once. */
  flags: string[];
  /** Line of `profile …` in the text, for the blank lines the printer keeps. */
  line: number;
  body: RawStatement[];
}

export type CustomProfileRead = { tree: CustomProfileTree; problems: [] } | { tree?: undefined; problems: GrammarProblem[] };

const CHILD = 'child profiles and hats are not allowed in a custom profile (armorkit adds the child profiles for targets)';

/** Profile names printed bare: the names vArmor gives (`varmor-NAMESPACE-NAME`), nothing that needs quotes. */
const PROFILE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

export function parseCustomProfile(text: string, profileName: string): CustomProfileRead {
  const lexed = lex(text);
  const problems: GrammarProblem[] = [];
  const fail = (at: { line: number; column: number }, message: string): CustomProfileRead => ({ problems: sortProblems([...problems, { line: at.line, column: at.column, message }]) });
  if (!PROFILE_NAME.test(profileName)) return fail({ line: 1, column: 1 }, `the profile name ${JSON.stringify(profileName)} cannot be written in a profile`);
  const items = lexed.items;
  let k = 0;
  let header: Token[] | undefined;
  let current: Token[] = [];
  for (; k < items.length && !header; k++) {
    const item = items[k] as LexItem;
    if (item.kind === 'include') {
      if (item.ifExists || item.target !== '<tunables/global>') problems.push({ line: item.line, column: item.column, message: `only <tunables/global> may be included before the profile, not ${item.ifExists ? 'if exists ' : ''}${item.target}` });
    } else if (item.kind === 'end') {
      const [keyword, abi, ...extra] = current;
      const ok = keyword?.kind === 'word' && keyword.text === 'abi' && abi?.kind === 'angle' && abi.text === '<abi/3.0>' && extra.length === 0;
      if (!ok) problems.push({ line: current[0]?.line ?? item.line, column: current[0]?.column ?? item.column, message: 'only "abi <abi/3.0>," and "include <tunables/global>" may come before the profile' });
      current = [];
    } else if (item.kind === 'brace-open') {
      header = current;
      if (header.length === 0) problems.push({ line: item.line, column: item.column, message: `only "profile ${profileName} flags=(…) {" may open a block` });
    } else if (item.kind === 'brace-close') {
      problems.push({ line: item.line, column: item.column, message: 'unbalanced "}"' });
    } else {
      current.push(item);
    }
  }
  // After a lexical problem, the statement it interrupted is not unfinished and the profile not unclosed: one problem.
  if (lexed.problem) {
    const stop = lexed.problem;
    const before = (p: GrammarProblem) => p.line < stop.line || (p.line === stop.line && p.column < stop.column);
    const body = header ? readStatements(items.slice(k), { stopAtClose: true, openMessage: CHILD }).problems : [];
    problems.push(...body.filter((p) => before(p) && p.message !== 'a rule must end with a comma'));
    return fail(stop, stop.message);
  }
  if (!header) {
    return fail({ line: 1, column: 1 }, `declares no "profile ${profileName}"`);
  }
  const flags = readHeader(header, profileName, problems);
  const body = readStatements(items.slice(k), { stopAtClose: true, openMessage: CHILD });
  problems.push(...body.problems);
  if (!body.close) return fail(header[0] ?? { line: 1, column: 1 }, `the profile ${profileName} is not closed (unbalanced "{")`);
  const after = body.rest[0];
  if (after) {
    const message = after.kind === 'include' ? 'nothing may follow the profile' : body.rest.some((item) => item.kind === 'brace-open') ? `declares a second profile; only ${profileName} is allowed` : `only one profile may be declared (${profileName}); found a rule after its "}"`;
    problems.push({ line: after.line, column: after.column, message });
  }
  if (problems.length > 0 || !flags) return { problems: sortProblems(problems) };
  return { tree: { profileName, flags, line: header[0]?.line ?? 1, body: body.statements }, problems: [] };
}

/** `profile NAME [flags=(…)]`: the policy's name, no attachment, allowed flags only. */
function readHeader(tokens: readonly Token[], profileName: string, problems: GrammarProblem[]): string[] | undefined {
  const [keyword, name, ...rest] = tokens;
  const problem = (at: Token | undefined, message: string) => {
    const where = at ?? tokens[0];
    problems.push({ line: where?.line ?? 1, column: where?.column ?? 1, message });
    return undefined;
  };
  if (keyword?.kind !== 'word' || keyword.text !== 'profile') return problem(keyword, `only "profile ${profileName} flags=(…) {" may open a block at the top level`);
  if (!name || (name.kind !== 'word' && name.kind !== 'quoted')) return problem(name, `the profile needs a name (${profileName})`);
  if (name.text !== profileName) return problem(name, `the profile must be named ${profileName}, not ${name.text}`);
  if (rest.length === 0) return [];
  const [flagsWord, equals, ...value] = rest;
  if (flagsWord?.kind !== 'word' || flagsWord.text !== 'flags' || equals?.kind !== 'equals' || equals.spaced) {
    return problem(flagsWord, `the profile may not have an attachment (${flagsWord?.text ?? ''}): vArmor profiles attach by name, never to host executables`);
  }
  const close = value[0]?.kind === 'open' ? value.findIndex((t) => t.kind === 'close') : 0;
  const extra = value[close + 1];
  if (extra) return problem(extra, `the profile may not have an attachment (${extra.text}): vArmor profiles attach by name, never to host executables`);
  const list = value[0]?.kind === 'open' ? value.slice(1, close).filter((t) => t.kind !== 'separator') : value;
  if (list.length === 0) return problem(flagsWord, 'flags=(…) needs flags');
  for (const flag of list) {
    if (flag.kind !== 'word' || !PROFILE_FLAGS.has(flag.text)) return problem(flag, `the profile flag "${flag.text}" is not allowed (allowed: ${[...PROFILE_FLAGS].join(', ')})`);
  }
  return [...new Set(list.map((flag) => flag.text))].sort();
}

/** The lines of a custom profile as printed: opening, then each body statement (with its source line), then `}`. */
export function customProfileLines(tree: CustomProfileTree): { opening: string[]; body: { text: string; statement: RawStatement }[] } {
  const flags = tree.flags.length > 0 ? ` flags=(${tree.flags.join(',')})` : '';
  const opening = ['abi <abi/3.0>,', '#include <tunables/global>', '', `profile ${tree.profileName}${flags} {`];
  const body: { text: string; statement: RawStatement }[] = [];
  let previous = tree.line;
  for (const statement of tree.body) {
    // A gap in the source (blank or comment lines) stays one blank line; the text itself is ours.
    if (statement.line > previous + 1) body.push({ text: '', statement });
    body.push({ text: printStatement(statement), statement });
    previous = statement.line;
  }
  return { opening, body };
}

/** The canonical text of a custom profile. */
export function printCustomProfile(tree: CustomProfileTree): string {
  const { opening, body } = customProfileLines(tree);
  return [...opening, ...body.map((line) => (line.text === '' ? '' : `  ${line.text}`)), '}'].join('\n') + '\n';
}
