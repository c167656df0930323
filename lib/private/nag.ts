import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

/**
 * The cdk-nag findings the library acknowledges on what it creates, each with the reason a
 * reviewer reads. A finding is named as cdk-nag 3 reports it (`<pack>-<rule>` or
 * `<pack>-<rule>[<finding>]`); {@link acknowledgeNag} records it through aws-cdk-lib's
 * `Validations.acknowledge` under the id the validation framework matches, `<pack>::<finding>`.
 *
 * Only what the library decided is acknowledged here. A user's own choices (an API-key-only route,
 * a function outside a VPC, MFA left optional) are theirs to acknowledge, so cdk-nag shows them.
 * Every entry is listed in the README's "cdk-nag" section; a test keeps both in step.
 */
export const NAG_ACKNOWLEDGEMENTS = {
  publicRoute: {
    rules: ['AwsSolutions-APIG4', 'AwsSolutions-COG4'],
    reason: 'A route declared public with RouteAuthorization.publicAccess(reason); the access matrix lists it with that reason',
  },
  nonCognitoRoute: {
    rules: ['AwsSolutions-COG4'],
    reason: 'The route is authorized by IAM (SigV4) or by the library\'s JWT authorizer, which verifies tokens of an OIDC issuer; a Cognito user pool authorizer is one sound choice among these',
  },
  noStageCache: {
    rules: ['NIST.800.53.R5-APIGWCacheEnabledAndEncrypted', 'PCI.DSS.321-APIGWCacheEnabledAndEncrypted', 'HIPAA.Security-APIGWCacheEnabledAndEncrypted'],
    reason: 'The stage has no cache cluster, so there is no cached data to encrypt: responses are per caller, and a cache keyed without the caller would serve one caller\'s data to another',
  },
  noBackendClientCertificate: {
    rules: ['NIST.800.53.R5-APIGWSSLEnabled', 'PCI.DSS.321-APIGWSSLEnabled', 'HIPAA.Security-APIGWSSLEnabled'],
    reason: 'A client certificate proves API Gateway to HTTP backends; no integration of this stage is HTTP (they are Lambda functions invoked with IAM, AWS services or mocks), so none would be presented one',
  },
  jsonAccessLog: {
    rules: ['Serverless-APIGWStructuredLogging'],
    reason: 'The access log is JSON once API Gateway fills it in; the rule parses the format before that, where the numeric fields ($context.status, latencies) are deliberately unquoted so metric filters compare numbers',
  },
  accountLoggingRole: {
    rules: ['AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]'],
    reason: 'API Gateway\'s account-wide logging role, created only with createAccountLoggingRole: true, uses the AWS managed policy AWS documents for it, which AWS keeps in step with what API Gateway writes',
  },
  tracingWildcard: {
    rules: ['AwsSolutions-IAM5[Resource::*]'],
    reason: 'X-Ray tracing (xray:PutTraceSegments, xray:PutTelemetryRecords) supports no resource-level permissions; for a function in a VPC, the network-interface actions are granted on * as in AWS\'s AWSLambdaVPCAccessExecutionRole (Lambda picks the interfaces); acknowledged only while these are the policy\'s only statements on *',
  },
  inlineHousePolicy: {
    rules: ['NIST.800.53.R5-IAMNoInlinePolicy', 'PCI.DSS.321-IAMNoInlinePolicy', 'HIPAA.Security-IAMNoInlinePolicy'],
    reason: 'The least-privilege statements of one function the library created (its own log group, its key under the function\'s encryption context, its own resources): inline, they cannot be attached to another principal and go with the role',
  },
  houseHandlerOutsideVpc: {
    rules: ['NIST.800.53.R5-LambdaInsideVPC', 'PCI.DSS.321-LambdaInsideVPC', 'HIPAA.Security-LambdaInsideVPC'],
    reason: 'A handler of the library that reaches only AWS APIs and, for the JWT authorizer, the issuers\' HTTPS JWKS endpoints; it holds no network path to private resources for a VPC to guard',
  },
  synchronousHandler: {
    rules: ['NIST.800.53.R5-LambdaDLQ', 'HIPAA.Security-LambdaDLQ', 'Serverless-LambdaDLQ'],
    reason: 'API Gateway invokes the authorizer synchronously and answers the caller with its result; a dead-letter queue receives asynchronous invocations only',
  },
  authorizerConcurrency: {
    rules: ['NIST.800.53.R5-LambdaConcurrency', 'HIPAA.Security-LambdaConcurrency'],
    reason: 'The authorizer scales with the API: the stage throttle bounds its invocations and result caching cuts them, and a reservation below peak would turn traffic into 500s; set reservedConcurrency to reserve',
  },
  blockerConcurrency: {
    rules: ['NIST.800.53.R5-LambdaConcurrency', 'HIPAA.Security-LambdaConcurrency'],
    reason: 'Lambda refuses a reservation that leaves the account fewer than 100 unreserved executions, so a default reservation would fail deploys in new accounts; set reservedConcurrency to reserve',
  },
  blockerFailureDestination: {
    rules: ['NIST.800.53.R5-LambdaDLQ', 'HIPAA.Security-LambdaDLQ', 'Serverless-LambdaDLQ'],
    reason: 'Failed asynchronous invocations go to an on-failure destination, an SQS queue encrypted with the API key (alarmed on with the API\'s alarms); a destination records the error with the event, which a dead-letter queue does not',
  },
  failureQueue: {
    rules: ['AwsSolutions-SQS3', 'Serverless-SQSRedrivePolicy'],
    reason: 'The queue is itself where failed invocations end; a dead-letter queue of it would hold nothing',
  },
  sweepSchedule: {
    rules: ['Serverless-EventBusDLQ'],
    reason: 'A sweep EventBridge fails to deliver is made up by the next one, minutes later: each sweep rebuilds the block lists from the table, so a lost one is worth nothing to keep',
  },
  blockerStateBackup: {
    rules: ['NIST.800.53.R5-DynamoDBInBackupPlan', 'HIPAA.Security-DynamoDBInBackupPlan'],
    reason: 'The abuse blocker\'s table holds offence counters and blocks that expire by TTL (after the window, after the block period); point-in-time recovery is on, and a restore from a backup plan would bring back blocks that have ended',
  },
  alarmEmail: {
    rules: ['Serverless-SNSRedrivePolicy'],
    reason: 'An email subscription of the alarm topic: SNS retries email delivery, and the alarm\'s state stays in CloudWatch; undelivered alarm emails in a queue would be read by no one',
  },
} as const satisfies Record<string, NagAcknowledgement>;

/** A reason for one or more findings. */
export interface NagAcknowledgement {
  /** The findings, as cdk-nag names them: `AwsSolutions-IAM5[Resource::*]`. */
  readonly rules: readonly string[];
  /** Why the finding does not apply. */
  readonly reason: string;
}

/** The id the validation framework matches for a finding cdk-nag names `rule`: `<pack>::<rule>`. */
export function nagAcknowledgementId(rule: string): string {
  return `${rule.slice(0, rule.indexOf('-'))}::${rule}`;
}

/** Acknowledges `acknowledgement`'s findings on `scope` and what is below it. */
export function acknowledgeNag(scope: IConstruct, acknowledgement: NagAcknowledgement): void {
  Validations.of(scope).acknowledge(...acknowledgement.rules.map((rule) => ({ id: nagAcknowledgementId(rule), reason: acknowledgement.reason })));
}

/**
 * Acknowledges `acknowledgement` on `scope` at synth if `applies()` then holds: for findings that
 * depend on what is added to the app after `scope` (another route's integration, a statement the
 * user adds to a role, a cache an aspect turns on). Decided when the app is validated, after every
 * aspect has run and before the packs run (they, and aws-cdk-lib's matching of acknowledgements,
 * read the construct tree after it), so nothing can change the facts after the decision.
 */
export function acknowledgeNagIf(scope: IConstruct, acknowledgement: NagAcknowledgement, applies: () => boolean): void {
  let decided = false;
  scope.node.addValidation({
    validate: () => {
      if (!decided) {
        decided = true;
        if (applies()) {
          acknowledgeNag(scope, acknowledgement);
        }
      }
      return [];
    },
  });
}

/** Authorizers of the library's JWT authorizer: their routes are authorized by an OIDC issuer's verified token. */
const OIDC_AUTHORIZERS = new WeakSet<object>();

/** Records `authorizer` as one of the library's JWT authorizers. */
export function markOidcAuthorizer(authorizer: object): void {
  OIDC_AUTHORIZERS.add(authorizer);
}

/** Whether `authorizer` is one of the library's JWT authorizers. */
export function isOidcAuthorizer(authorizer: object | undefined): boolean {
  return authorizer !== undefined && OIDC_AUTHORIZERS.has(authorizer);
}

/** What X-Ray's active tracing adds to a function's role, on `*` (X-Ray has no resource-level permissions). */
const TRACING_ACTIONS = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'];

/**
 * Acknowledges the `*` resource of X-Ray's statement in `role`'s default policy, but only while
 * every statement on `*` there allows X-Ray's actions alone (and, given, `extraActions`): a
 * statement on `*` that a user adds to the role stays a finding.
 */
export function acknowledgeTracingWildcard(role: iam.IRole | undefined, extraActions: readonly string[] = []): void {
  const policy = role instanceof iam.Role ? role.node.tryFindChild('DefaultPolicy') : undefined;
  if (!(policy instanceof iam.Policy)) {
    return;
  }
  const allowed = new Set([...TRACING_ACTIONS, ...extraActions]);
  acknowledgeNagIf(policy, NAG_ACKNOWLEDGEMENTS.tracingWildcard, () => {
    const document = Stack.of(policy).resolve(policy.document.toJSON()) as { Statement?: Array<{ Effect: string; Action: unknown; Resource: unknown }> } | undefined;
    return (document?.Statement ?? [])
      .filter((statement) => statement.Effect === 'Allow' && list(statement.Resource).includes('*'))
      .every((statement) => list(statement.Action).every((action) => allowed.has(String(action))));
  });
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}
