import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import {
  AbuseBlocker,
  ApiFirewall,
  BlockListReplication,
  BlockListReplicationRole,
  LambdaRouteIntegration,
  RouteAuthorization,
  SecureRestApi,
} from '../../../lib';
import { ValidationError } from '../../../lib/private/validation-error';
import { settingsOf } from '../../helpers/bundles';
import { errorOf } from '../../helpers/errors';
import { CDK_JSON_CONTEXT, inlineFunction, logicalId, SKIP_BUNDLING } from '../../helpers/stack';
import { skipTemplateValidatorInThisFile } from '../../helpers/template-validator';

// Many variations of one configuration: the rule engine checks each construct in test/lib/template-validation.test.ts.
skipTemplateValidatorInThisFile();

const AT = ' (at TestStack/Blocker)';

/** An API with a public route, its firewall and a blocker with `replication`, in `region`. */
function build(replication?: BlockListReplication, region: string | null = 'eu-west-1', removalPolicy?: RemovalPolicy) {
  const app = new App({ context: { ...CDK_JSON_CONTEXT, ...SKIP_BUNDLING } });
  const stack = new Stack(app, 'TestStack', { env: region === null ? undefined : { account: '123456789012', region } });
  const api = new SecureRestApi(stack, 'Api');
  api.addRoute('GET /health', { authorization: RouteAuthorization.publicAccess('health check'), integration: new LambdaRouteIntegration(inlineFunction(stack)) });
  const firewall = new ApiFirewall(stack, 'Firewall', { api });
  const blocker = new AbuseBlocker(stack, 'Blocker', { firewall, replication, removalPolicy });
  return { stack, api, blocker, template: Template.fromStack(stack) };
}

const primary = (replicaRegions = [{ region: 'us-east-1' }, { region: 'eu-central-1', keyAliasName: 'alias/team/blocks' }]) =>
  BlockListReplication.primary({ tableName: 'api-block-list', replicaRegions });

const buildError = (replication: BlockListReplication, region?: string) => errorOf(ValidationError, () => build(replication, region ?? 'eu-west-1'));

describe('BlockListReplication.primary', () => {
  const { stack, api, blocker, template } = build(primary());
  const keyArn = { 'Fn::GetAtt': [logicalId(stack, api.key), 'Arn'] };

  test('the state table is a global table with the fixed name, TTL, PITR and deletion protection, in this region and each replica\'s', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 0);
    template.resourceCountIs('AWS::DynamoDB::GlobalTable', 1);
    template.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        TableName: 'api-block-list',
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
        Replicas: Match.arrayWith([
          Match.objectLike({ Region: 'us-east-1', DeletionProtectionEnabled: true, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true }, SSESpecification: { KMSMasterKeyId: 'arn:aws:kms:us-east-1:123456789012:alias/secure-api/api-block-list' } }),
          Match.objectLike({ Region: 'eu-central-1', DeletionProtectionEnabled: true, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true }, SSESpecification: { KMSMasterKeyId: 'arn:aws:kms:eu-central-1:123456789012:alias/team/blocks' } }),
          Match.objectLike({ Region: 'eu-west-1', DeletionProtectionEnabled: true, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true }, SSESpecification: { KMSMasterKeyId: keyArn } }),
        ]),
      }),
    });
    const [table] = Object.values(template.findResources('AWS::DynamoDB::GlobalTable')) as Array<{ Properties: { Replicas: unknown[] } }>;
    expect(table.Properties.Replicas).toHaveLength(3);
  });

  test('the function counts by region and reads the table by name', () => {
    const settings = settingsOf(blocker.function);
    expect(settings.counterRegion).toBe('eu-west-1');
    expect(settings.tableName).toEqual({ Ref: logicalId(stack, blocker.table) });
    expect(blocker.replicaKeyAlias).toBeUndefined();
    template.resourceCountIs('AWS::KMS::Alias', 0);
  });

  test('the function may write and query the table in this region only, and use the key only through DynamoDB', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: ['dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'], Resource: { 'Fn::GetAtt': [logicalId(stack, blocker.table), 'Arn'] } }),
          Match.objectLike({ Resource: keyArn, Condition: { StringEquals: { 'kms:ViaService': 'dynamodb.eu-west-1.amazonaws.com' } } }),
        ]),
      },
    });
  });

  test('a removal policy other than RETAIN turns deletion protection off in every replica', () => {
    const { template: destroyed } = build(primary(), 'eu-west-1', RemovalPolicy.DESTROY);
    const [table] = Object.values(destroyed.findResources('AWS::DynamoDB::GlobalTable')) as Array<{ Properties: { Replicas: Array<{ DeletionProtectionEnabled?: boolean }> } }>;
    expect(table.Properties.Replicas.map((replica) => replica.DeletionProtectionEnabled ?? false)).toEqual([false, false, false]);
  });
});

describe('BlockListReplication.replica', () => {
  const replication = BlockListReplication.replica({ tableName: 'api-block-list', primaryRegion: 'eu-west-1', keyAliasName: 'team/blocks' });
  const { stack, api, blocker, template } = build(replication, 'eu-central-1');
  const keyArn = { 'Fn::GetAtt': [logicalId(stack, api.key), 'Arn'] };
  const tableArn = 'arn:aws:dynamodb:eu-central-1:123456789012:table/api-block-list';

  test('no table is created: the blocker uses this region\'s replica by name', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 0);
    template.resourceCountIs('AWS::DynamoDB::GlobalTable', 0);
    expect(blocker.table.tableName).toBe('api-block-list');
    expect(settingsOf(blocker.function)).toMatchObject({ tableName: 'api-block-list', counterRegion: 'eu-central-1' });
    expect(replication.role).toBe(BlockListReplicationRole.REPLICA);
  });

  test('the function may use the replica in this region, and this region\'s API key only through DynamoDB', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: ['dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'], Resource: tableArn }),
          Match.objectLike({ Resource: keyArn, Condition: { StringEquals: { 'kms:ViaService': 'dynamodb.eu-central-1.amazonaws.com' } } }),
        ]),
      },
    });
  });

  test('the alias the primary names as this replica\'s key is created on this region\'s API key', () => {
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/team/blocks', TargetKeyId: keyArn });
    expect(logicalId(stack, blocker.replicaKeyAlias!)).toMatch(/^BlockerReplicaKeyAlias/);
  });

  test('the alias name defaults to the one the primary assumes', () => {
    const { template: defaulted } = build(BlockListReplication.replica({ tableName: 'api-block-list', primaryRegion: 'eu-west-1' }), 'us-east-1');
    defaulted.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/secure-api/api-block-list' });
  });
});

describe('without replication', () => {
  const { stack, blocker, template } = build();

  test('nothing changes: the same table under the same logical id, counters keyed as before', () => {
    template.resourceCountIs('AWS::DynamoDB::GlobalTable', 0);
    template.resourceCountIs('AWS::KMS::Alias', 0);
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain' });
    expect(logicalId(stack, blocker.table)).toBe(stack.getLogicalId(stack.node.findChild('Blocker').node.findChild('State').node.defaultChild as never));
    expect(logicalId(stack, blocker.table)).toMatch(/^BlockerState[0-9A-F]{8}$/);
    expect(settingsOf(blocker.function)).not.toHaveProperty('counterRegion');
  });
});

describe('validation', () => {
  test('a replica region equal to the stack\'s region', () => {
    expect(buildError(primary([{ region: 'eu-west-1' }])).message).toBe(
      `\`replication.replicaRegions[0].region\` must be another region than the stack's own, got 'eu-west-1': the table in this region is the primary's own; list only the other regions${AT}`);
    expect(buildError(BlockListReplication.replica({ tableName: 'api-block-list', primaryRegion: 'eu-west-1' })).message).toBe(
      `\`replication.primaryRegion\` must be another region than the stack's own, got 'eu-west-1': the table in this region is the primary's own; list only the other regions${AT}`);
  });

  test('a region listed twice', () => {
    expect(buildError(primary([{ region: 'us-east-1' }, { region: 'us-east-1' }])).message).toBe(
      `\`replication.replicaRegions[1].region\` repeats \`replication.replicaRegions[0].region\` ('us-east-1'): list each region once${AT}`);
  });

  test('a region that is not an AWS region', () => {
    expect(buildError(primary([{ region: 'us-east-1a' }])).message).toBe(
      `\`replication.replicaRegions[0].region\` must be an AWS region such as 'eu-west-1', got 'us-east-1a': use a region name (not an availability zone or a display name) from aws-cdk-lib's RegionInfo.regions${AT}`);
    expect(buildError(BlockListReplication.replica({ tableName: 'api-block-list', primaryRegion: 'Ireland' })).message).toMatch(/^`replication.primaryRegion` must be an AWS region such as 'eu-west-1', got 'Ireland'/);
  });

  test('a region of another partition', () => {
    expect(buildError(primary([{ region: 'cn-north-1' }])).message).toBe(
      `\`replication.replicaRegions[0].region\` must be in the stack's partition (aws), got 'cn-north-1' in aws-cn: DynamoDB replicates a global table only within one partition${AT}`);
  });

  test('no replica region', () => {
    expect(buildError(primary([])).message).toBe(
      `\`replication.replicaRegions\` must list at least one other region, got []: name each region whose blocker shares this block list${AT}`);
  });

  test('a bad table name', () => {
    expect(buildError(BlockListReplication.primary({ tableName: 'my table', replicaRegions: [{ region: 'us-east-1' }] })).message).toBe(
      `\`replication.tableName\` must be a DynamoDB table name of 3 to 255 letters, digits, '_', '-' or '.', got 'my table': use the same fixed name in every region, such as 'my-api-block-list'${AT}`);
  });

  test('a bad alias name', () => {
    expect(buildError(primary([{ region: 'us-east-1', keyAliasName: 'alias/aws/dynamodb' }])).message).toBe(
      `\`replication.replicaRegions[0].keyAliasName\` must be a KMS alias name of letters, digits, '/', '_' and '-' (at most 256 characters with 'alias/', not under 'alias/aws/', which AWS reserves), got 'alias/aws/dynamodb'${AT}`);
    expect(buildError(BlockListReplication.replica({ tableName: 'api-block-list', primaryRegion: 'us-east-1', keyAliasName: 'my key' })).message).toMatch(/^`replication.keyAliasName` must be a KMS alias name .* got 'alias\/my key'/);
  });

  test('a region-agnostic stack', () => {
    const error = errorOf(ValidationError, () => build(primary(), null));
    expect(error.message).toBe(`\`replication\` needs the stack's region at synth, got a region-agnostic stack: give the stack \`env: { region }\` (one stack per region)${AT}`);
  });
});
