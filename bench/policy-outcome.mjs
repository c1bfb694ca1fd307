// One document through the whole pipeline (parse → resolve → compile, every installed enforcer, no apparmor_parser)
// and what the robustness checks require of the outcome: no exception, and errors a user can act on. Shared by the
// policy fuzzer (bench/fuzz-policies.mjs) and the property test over the vArmor schema (packages/cli/test).
import { fromPointer, parseYamlStream } from '@armorkit/core';

/** Text a message must never show outside the user's own quoted values: a lookup or a conversion went wrong. */
const LEAKS = ['[native code]', 'undefined', '[object Object]'];

/** Runs `text` through the engine; `exception` is set when anything threw, `defects` lists malformed errors. */
export function policyOutcome(engine, text, file = 'fuzz.yaml') {
  const errors = [];
  let policies = 0;
  try {
    const parsed = engine.parse(text, file);
    errors.push(...parsed.errors);
    for (const policy of parsed.policies) {
      policies += 1;
      const resolved = engine.resolve(policy);
      errors.push(...resolved.errors);
      if (!resolved.plan) continue;
      // Every enforcer of the plan that a plugin compiles (NetworkProxy has none yet: nothing would run).
      const installed = engine.enforcers.filter((enforcer) => resolved.plan.enforcers[enforcer] !== undefined);
      const compiled = engine.compile(resolved.plan, installed);
      if (!compiled.ok) errors.push(...compiled.errors);
    }
  } catch (exception) {
    return { policies, errors, defects: [], exception };
  }
  return { policies, errors, defects: errorDefects(errors, text, file) };
}

/** A document as JSON text (YAML) with bigints written as plain integers, so the YAML reader sees exact numbers. */
export function policyText(data) {
  const marked = JSON.stringify(data, (_key, value) => (typeof value === 'bigint' ? `@@int:${value}@@` : value), 1) ?? 'null';
  return marked.replace(/"@@int:(-?\d+)@@"/g, '$1');
}

/** What is wrong with each error: no code, a pointer into nothing, a message that leaks an internal value. */
export function errorDefects(errors, text, file) {
  const documents = new Map(parseYamlStream(text, file).documents.map((document) => [document.index, document.data]));
  const defects = [];
  for (const error of errors) {
    const where = `${error.pointer} (${error.code}): ${error.message}`;
    if (typeof error.code !== 'string' || error.code === '') defects.push(`no code: ${where}`);
    if (typeof error.message !== 'string' || error.message === '') defects.push(`no message: ${where}`);
    if (typeof error.pointer !== 'string' || (error.pointer !== '' && !error.pointer.startsWith('/'))) {
      defects.push(`not a JSON pointer: ${where}`);
      continue;
    }
    const unquoted = String(error.message).replace(/"(?:[^"\\]|\\.)*"/g, '""');
    for (const leak of LEAKS) if (unquoted.includes(leak)) defects.push(`message shows ${leak}: ${where}`);
    const document = error.location?.document;
    if (document === undefined) defects.push(`no document in its location (printed as <input>): ${where}`);
    else if (error.code !== 'yaml-syntax' && !pointsIntoDocument(documents.get(document), error.pointer)) {
      defects.push(`pointer not in document ${document}: ${where}`);
    }
  }
  return defects;
}

/** The pointer names a member of the document, or a missing member of an object that is there (a required field). */
function pointsIntoDocument(data, pointer) {
  const segments = fromPointer(pointer);
  let current = data;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    const isObject = typeof current === 'object' && current !== null;
    const present = isObject && Object.hasOwn(current, segment) && (!Array.isArray(current) || /^(0|[1-9][0-9]*)$/.test(segment));
    if (!present) return i === segments.length - 1 && isObject && !Array.isArray(current);
    current = current[segment];
  }
  return true;
}
