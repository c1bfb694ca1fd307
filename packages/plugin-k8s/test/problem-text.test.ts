import { policyError } from '@armorkit/core';
import { describe, expect, it } from 'vitest';
import { admissionWarnings, refusalMessage } from '../src/admission/problem-text.js';

describe('problem text of admission answers', () => {
  it('names each problem by its pointer, warnings marked as such', () => {
    const errors = [policyError('unknown-rule', '/spec/policy/enhanceProtect/hardeningRules/0', 'unknown rule "x"'), policyError('c', '', 'whole document')];
    const warnings = [policyError('w', '/spec/policy/mode', 'does nothing here')];
    expect(admissionWarnings(errors, warnings)).toEqual(['/spec/policy/enhanceProtect/hardeningRules/0: unknown rule "x"', '/: whole document', 'warning: /spec/policy/mode: does nothing here']);
    expect(refusalMessage('VarmorPolicy demo/web', errors)).toBe('VarmorPolicy demo/web is invalid: 2 problem(s)\n- /spec/policy/enhanceProtect/hardeningRules/0: unknown rule "x"\n- /: whole document');
  });

  it('keeps a warning on one line and within 256 characters', () => {
    const [warning] = admissionWarnings([policyError('c', '/spec', `apparmor_parser said:\nline 1\tbad\r\n${'x'.repeat(400)}`)], []);
    expect(warning).toMatch(/^\/spec: apparmor_parser said: line 1 bad x+\.\.\.$/);
    expect(warning).toHaveLength(256);
  });

  it('keeps all warnings within 4096 characters, the last one counting what did not fit', () => {
    const errors = Array.from({ length: 100 }, (_, index) => policyError('c', `/spec/${index}`, 'y'.repeat(100)));
    const warnings = admissionWarnings(errors, []);
    expect(warnings.join('').length).toBeLessThanOrEqual(4096);
    expect(warnings.at(-1)).toBe(`${100 - (warnings.length - 1)} more problem(s): see the status message`);
    expect(warnings.slice(0, -1)).toEqual(errors.slice(0, warnings.length - 1).map((error) => `${error.pointer}: ${error.message}`));
  });
});
