/**
 * Limits a deploy would reject, checked at synth: CloudFormation's per-stack limits on each stack a
 * `SecureRestApi` spreads into, API Gateway's quota of resources per API, and the size of the
 * resource-based policy of each function behind the API.
 */
import { CfnElement, CfnOutput, CfnParameter, CfnResource, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IConstruct } from 'constructs';

/**
 * CloudFormation's limits per stack (CloudFormation quotas,
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html):
 * resources, parameters and outputs, and the size of a template uploaded to S3, which is how the
 * CDK deploys templates and always how a nested stack's template travels. 1 MB is counted as
 * 1,000,000 bytes, as aws-cdk-lib does.
 */
export const CLOUDFORMATION_LIMITS = { resources: 500, parameters: 200, outputs: 200, templateBytes: 1_000_000 } as const;

/** The context key that changes aws-cdk-lib's resource limit per stack (0 turns the check off). */
const STACK_RESOURCE_LIMIT_CONTEXT = '@aws-cdk/core:stackResourceLimit';

/**
 * API Gateway's default quota of resources (paths) per REST API, adjustable in Service Quotas
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html).
 */
export const API_GATEWAY_DEFAULT_RESOURCES_PER_API = 300;

/**
 * Lambda's limit on a function's resource-based policy: 20 KB (Lambda quotas,
 * https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
 */
export const LAMBDA_POLICY_LIMIT_BYTES = 20_480;

/**
 * What one statement of a function's policy costs besides the values of its permission: the JSON
 * around them (`{"Sid":..,"Effect":"Allow","Principal":{"Service":..},"Action":..,"Resource":..,
 * "Condition":{"ArnLike":{"AWS:SourceArn":..}}}`) and the statement id CloudFormation generates from
 * the stack name and the logical id.
 */
const STATEMENT_OVERHEAD_BYTES = 200;

/** Lengths assumed for values only known at deploy: pseudo parameters, ids and names (`Ref`), ARNs (`Fn::GetAtt`). */
const DEPLOY_TIME_VALUE_BYTES: { readonly pseudo: Readonly<Record<string, number>>; readonly ref: number; readonly other: number } = {
  pseudo: { 'AWS::AccountId': 12, 'AWS::Region': 14, 'AWS::Partition': 3, 'AWS::URLSuffix': 13 },
  ref: 32,
  other: 64,
};

/** A stack the API spreads into, and what to change when it passes a limit. */
export interface ApiStack {
  readonly stack: Stack;
  /** The fix a message ends with, such as "lower `routesPerNestedStack` (now 100)". */
  readonly fix: string;
}

/** Messages for the stacks that pass one of CloudFormation's limits per stack. */
export function stackLimitErrors(stacks: readonly ApiStack[]): string[] {
  const errors: string[] = [];
  for (const { stack, fix } of stacks) {
    const count = { resources: 0, parameters: 0, outputs: 0 };
    for (const construct of stack.node.findAll()) {
      if (!CfnElement.isCfnElement(construct) || construct.stack !== stack) {
        continue;
      }
      if (CfnResource.isCfnResource(construct)) {
        count.resources++;
      } else if (construct instanceof CfnParameter) {
        count.parameters++;
      } else if (construct instanceof CfnOutput) {
        count.outputs++;
      }
    }
    const where = `stack '${stack.node.path}'`;
    const resourceLimit = Number(stack.node.tryGetContext(STACK_RESOURCE_LIMIT_CONTEXT) ?? CLOUDFORMATION_LIMITS.resources);
    if (resourceLimit > 0 && count.resources > resourceLimit) {
      errors.push(`${where} has ${count.resources} resources, over CloudFormation's limit of ${resourceLimit} per stack: ${fix}`);
    }
    if (count.parameters > CLOUDFORMATION_LIMITS.parameters) {
      errors.push(`${where} has ${count.parameters} parameters, over CloudFormation's limit of ${CLOUDFORMATION_LIMITS.parameters} per stack (a nested stack receives each id it uses from another stack as a parameter): ${fix}`);
    }
    if (count.outputs > CLOUDFORMATION_LIMITS.outputs) {
      errors.push(`${where} has ${count.outputs} outputs, over CloudFormation's limit of ${CLOUDFORMATION_LIMITS.outputs} per stack (a nested stack returns each id another nested stack uses as an output): ${fix}`);
    }
    const bytes = templateBytes(stack);
    if (bytes > CLOUDFORMATION_LIMITS.templateBytes) {
      errors.push(`the template of ${where} is ${bytes} bytes, over CloudFormation's limit of ${CLOUDFORMATION_LIMITS.templateBytes} bytes for a template in S3: ${fix}`);
    }
  }
  return errors;
}

/**
 * The size of the stack's template as the CDK writes it (indented by one space unless the stack
 * suppresses indentation: counting it indented errs on the large side). aws-cdk-lib renders a
 * template with `_toCloudFormation()`, which it does not publish; the check is skipped if that ever
 * changes.
 */
function templateBytes(stack: Stack): number {
  const render = (stack as unknown as { _toCloudFormation?: () => unknown })._toCloudFormation;
  return typeof render === 'function' ? Buffer.byteLength(JSON.stringify(render.call(stack), undefined, 1)) : 0;
}

/** The message when `api` has more resources (paths, the root included) than `quota`, else none. */
export function apiResourceQuotaErrors(api: apigw.RestApi, stacks: readonly Stack[], quota: number): string[] {
  let resources = 1; // the root `/`
  for (const stack of stacks) {
    for (const construct of stack.node.findAll()) {
      if (construct instanceof apigw.CfnResource && construct.stack === stack && construct.restApiId === api.restApiId) {
        resources++;
      }
    }
  }
  if (resources <= quota) {
    return [];
  }
  return [`the REST API has ${resources} resources (paths, the root '/' included), over API Gateway's quota of ${quota} per API, so the deploy would fail: `
    + 'serve several paths with one {parameter} segment, split the API, or raise the quota in Service Quotas and declare it in `resourcesPerApiQuota`'];
}

/** A function whose resource-based policy would pass Lambda's limit. */
export interface OversizedPolicy {
  /** The function's construct path. */
  readonly function: string;
  /** Permissions (policy statements) the app gives it. */
  readonly permissions: number;
  /** The policy's estimated size. */
  readonly bytes: number;
}

/**
 * The functions among `functions` whose resource-based policy, estimated from every
 * `AWS::Lambda::Permission` of the app (one statement each), passes Lambda's 20 KB.
 *
 * @param functions the functions to check: their ARNs (as their permissions name them) and their construct paths
 */
export function oversizedLambdaPolicies(root: IConstruct, functions: ReadonlyMap<string, string>): OversizedPolicy[] {
  const byFunction = new Map<string, { permissions: number; bytes: number; name: string }>();
  for (const construct of root.node.findAll()) {
    const name = construct instanceof lambda.CfnPermission ? functions.get(construct.functionName) : undefined;
    if (name === undefined) {
      continue;
    }
    const permission = construct as lambda.CfnPermission;
    const entry = byFunction.get(permission.functionName) ?? { permissions: 0, bytes: 0, name };
    entry.permissions++;
    entry.bytes += statementBytes(permission);
    byFunction.set(permission.functionName, entry);
  }
  return [...byFunction.values()]
    .filter((entry) => entry.bytes > LAMBDA_POLICY_LIMIT_BYTES)
    .map((entry) => ({ function: entry.name, permissions: entry.permissions, bytes: entry.bytes }));
}

/** The estimated size of the policy statement a permission adds. */
function statementBytes(permission: lambda.CfnPermission): number {
  const stack = permission.stack;
  const values = [permission.action, permission.principal, permission.functionName, permission.sourceArn, permission.sourceAccount, permission.principalOrgId];
  return STATEMENT_OVERHEAD_BYTES + values.reduce<number>((sum, value) => sum + (value === undefined ? 0 : approximateLength(stack.resolve(value))), 0);
}

/** The length of a resolved CloudFormation value once deployed, with values known only then at {@link DEPLOY_TIME_VALUE_BYTES}. */
function approximateLength(value: unknown): number {
  if (typeof value === 'string') {
    return value.length;
  }
  if (Array.isArray(value)) {
    return value.reduce<number>((sum, item) => sum + approximateLength(item), 0);
  }
  if (value !== null && typeof value === 'object') {
    const join = (value as Record<string, unknown>)['Fn::Join'];
    if (Array.isArray(join) && Array.isArray(join[1])) {
      return join[1].reduce<number>((sum, part) => sum + approximateLength(part), 0);
    }
    const ref = (value as Record<string, unknown>).Ref;
    if (typeof ref === 'string') {
      return DEPLOY_TIME_VALUE_BYTES.pseudo[ref] ?? DEPLOY_TIME_VALUE_BYTES.ref;
    }
    return DEPLOY_TIME_VALUE_BYTES.other;
  }
  return String(value ?? '').length;
}
