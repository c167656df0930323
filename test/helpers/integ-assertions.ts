import { CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';

/** A resource of an integ-tests assertion stack. */
export interface AssertionResource {
  readonly Type: string;
  readonly DependsOn?: string[];
  readonly Properties?: Record<string, any>;
}

/**
 * The assertion calls (`Custom::DeployAssert@SdkCall…` and `…@HttpCall…`) of an integ-tests
 * assertion stack, in the order they run: each waits for the one before it (`.next()`), so the
 * chain is followed from the call that waits for none. Fails the test if a call is off the chain.
 */
export function assertionCallsInOrder(assertStack: CloudFormationStackArtifact): { resources: Record<string, AssertionResource>; ordered: string[] } {
  const resources: Record<string, AssertionResource> = assertStack.template.Resources;
  const calls = Object.entries(resources).filter(([, resource]) => /^Custom::DeployAssert@(SdkCall|HttpCall)/.test(resource.Type));
  const callIds = new Set(calls.map(([id]) => id));
  const previousOf = new Map(calls.map(([id, resource]) => [id, (resource.DependsOn ?? []).filter((dependency) => callIds.has(dependency))]));
  const ordered: string[] = [];
  let next = calls.find(([id]) => previousOf.get(id)!.length === 0)?.[0];
  while (next !== undefined) {
    ordered.push(next);
    const current: string = next;
    next = calls.find(([id]) => previousOf.get(id)!.includes(current))?.[0];
  }
  expect(ordered).toHaveLength(calls.length);
  return { resources, ordered };
}
