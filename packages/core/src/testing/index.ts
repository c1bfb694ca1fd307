// @armorkit/core/testing: the kit plugin tests use (ESLint's RuleTester, for enforcers).
export {
  PolicyTester,
  type PolicyTesterOptions,
  type PolicyInput,
  type PolicyStage,
  type ValidCase,
  type InvalidCase,
  type PipelineOutcome,
  type CompiledPolicy,
  type StageFailure,
} from './policy-tester.js';
export type { ExpectedError } from './expected-error.js';
export type { TestFramework } from './test-framework.js';
