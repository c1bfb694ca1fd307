/** The two functions a test framework registers tests with (vitest, mocha, node:test and jest all have them). */
export interface TestFramework {
  describe(name: string, body: () => void): void;
  it(name: string, body: () => Promise<void> | void): void;
}

// vitest when it is installed, so `new PolicyTester(...)` needs no options there; other frameworks pass their own.
const vitest = await import('vitest').catch(() => undefined);

/** The framework the tester registers with: the one given, else vitest's, else a clear problem for the test author. */
export function testFramework(given: Partial<TestFramework>): TestFramework {
  const describe = given.describe ?? vitest?.describe;
  const it = given.it ?? vitest?.it;
  if (!describe || !it) throw new TypeError('PolicyTester needs describe and it: install vitest or pass { describe, it } from your test framework');
  return { describe, it };
}
