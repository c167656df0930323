/** Switches for aws-cdk-lib's built-in CloudFormation rule engine in tests. */
/**
 * Turns aws-cdk-lib's built-in template validator off for the rest of the test file (and back on
 * after it; a jest worker runs one file at a time). For construct tests that synthesize many
 * variations of one configuration: the validator still runs on a representative configuration of
 * every construct (test/lib/template-validation.test.ts), on the example app and on every README
 * sample, and a finding there fails the suite. Call it at the top of the file, so it also covers
 * stacks built while jest collects the tests.
 */
export function skipTemplateValidatorInThisFile(): void {
  const before = process.env.CDK_VALIDATION;
  process.env.CDK_VALIDATION = 'false';
  afterAll(() => restoreValidation(before));
}

/**
 * Runs `fn` (a synth) without aws-cdk-lib's built-in CloudFormation template validator
 * (`CDK_VALIDATION=false`): for tests where it is not under test and large templates make it slow.
 */
export function withoutTemplateValidator<T>(fn: () => T): T {
  const before = process.env.CDK_VALIDATION;
  process.env.CDK_VALIDATION = 'false';
  try {
    return fn();
  } finally {
    restoreValidation(before);
  }
}

/** Runs `fn` (a synth) with aws-cdk-lib's template validator on, whatever the file's setting. */
export function withTemplateValidator<T>(fn: () => T): T {
  const before = process.env.CDK_VALIDATION;
  delete process.env.CDK_VALIDATION;
  try {
    return fn();
  } finally {
    restoreValidation(before);
  }
}

function restoreValidation(before: string | undefined): void {
  if (before === undefined) {
    delete process.env.CDK_VALIDATION;
  } else {
    process.env.CDK_VALIDATION = before;
  }
}
