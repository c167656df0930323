import { ArnFormat, Stack, Token } from 'aws-cdk-lib';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { IConstruct } from 'constructs';
import { BlockListReplication, BlockListReplicationRole } from '../firewall/block-list-replication';
import { ValidationError } from './validation-error';
import { describe, validateAwsRegion } from './validators';

/** The prefix of every KMS alias name. */
const KMS_ALIAS_PREFIX = 'alias/';
/** The prefix of the aliases AWS reserves for its own keys. */
const AWS_ALIAS_PREFIX = 'alias/aws/';
/** KMS's rule for an alias name, after `alias/`. */
const ALIAS_NAME = /^[A-Za-z0-9/_-]+$/;
const MAX_ALIAS_NAME_LENGTH = 256;
/** DynamoDB's rule for a table name. */
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;

/** A replica of the global table: its region, and its key, named by alias ARN. */
export interface ResolvedReplica {
  readonly region: string;
  readonly keyAliasArn: string;
}

/** A {@link BlockListReplication}, checked against the stack and resolved. */
export interface ResolvedReplication {
  readonly role: BlockListReplicationRole;
  readonly tableName: string;
  /** The stack's own region, concrete. */
  readonly region: string;
  /** `PRIMARY`: the replicas, with their keys' alias ARNs. */
  readonly replicas: readonly ResolvedReplica[];
  /** `REPLICA`: the alias to create on this region's API key, with the `alias/` prefix. */
  readonly keyAliasName?: string;
}

/** The alias name of a replica's key when none is given: `alias/secure-api/<tableName>`. */
export function defaultKeyAliasName(tableName: string): string {
  return `${KMS_ALIAS_PREFIX}secure-api/${tableName}`;
}

/** `name` with the `alias/` prefix. */
export function fullAliasName(name: string): string {
  return name.startsWith(KMS_ALIAS_PREFIX) ? name : `${KMS_ALIAS_PREFIX}${name}`;
}

/** Checks `replication` against the stack of `scope` (prop `replication`) and resolves it. */
export function resolveReplication(scope: IConstruct, replication: BlockListReplication): ResolvedReplication {
  if (!(replication instanceof BlockListReplication)) {
    throw new ValidationError(`\`replication\` must be made with BlockListReplication.primary() or BlockListReplication.replica(), got ${describe(replication)}`, scope);
  }
  const stack = Stack.of(scope);
  const region = stack.region;
  if (Token.isUnresolved(region)) {
    throw new ValidationError('`replication` needs the stack\'s region at synth, got a region-agnostic stack: give the stack `env: { region }` (one stack per region)', scope);
  }
  validateTableName(scope, replication.tableName);
  if (replication.role === BlockListReplicationRole.REPLICA) {
    const primaryRegion = replication.primaryRegion;
    validateAwsRegion(scope, 'replication.primaryRegion', primaryRegion);
    validateOtherRegion(scope, 'replication.primaryRegion', primaryRegion!, region);
    const keyAliasName = fullAliasName(replication.keyAliasName ?? defaultKeyAliasName(replication.tableName));
    validateAliasName(scope, 'replication.keyAliasName', keyAliasName);
    return { role: replication.role, tableName: replication.tableName, region, replicas: [], keyAliasName };
  }
  const regions = replication.replicaRegions;
  if (!Array.isArray(regions) || regions.length === 0) {
    throw new ValidationError(`\`replication.replicaRegions\` must list at least one other region, got ${describe(regions)}: name each region whose blocker shares this block list`, scope);
  }
  const replicas = regions.map((replica, i) => {
    const at = `replication.replicaRegions[${i}]`;
    validateAwsRegion(scope, `${at}.region`, replica?.region);
    validateOtherRegion(scope, `${at}.region`, replica.region, region);
    const first = regions.findIndex((other) => other.region === replica.region);
    if (first !== i) {
      throw new ValidationError(`\`${at}.region\` repeats \`replication.replicaRegions[${first}].region\` ('${replica.region}'): list each region once`, scope);
    }
    const aliasName = fullAliasName(replica.keyAliasName ?? defaultKeyAliasName(replication.tableName));
    validateAliasName(scope, `${at}.keyAliasName`, aliasName);
    return { region: replica.region, keyAliasArn: aliasArn(stack, replica.region, aliasName) };
  });
  return { role: replication.role, tableName: replication.tableName, region, replicas };
}

/**
 * The ARN of a KMS alias in another region of this account, built at synth: the partition is the
 * region's (known to RegionInfo), the account the stack's.
 */
function aliasArn(stack: Stack, region: string, aliasName: string): string {
  return stack.formatArn({
    partition: RegionInfo.get(region).partition,
    service: 'kms',
    region,
    resource: 'alias',
    resourceName: aliasName.slice(KMS_ALIAS_PREFIX.length),
    arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  });
}

function validateOtherRegion(scope: IConstruct, prop: string, value: string, stackRegion: string): void {
  if (Token.isUnresolved(value)) {
    return;
  }
  if (value === stackRegion) {
    throw new ValidationError(`\`${prop}\` must be another region than the stack's own, got '${value}': the table in this region is the primary's own; list only the other regions`, scope);
  }
  const [partition, ours] = [RegionInfo.get(value).partition, RegionInfo.get(stackRegion).partition];
  if (partition && ours && partition !== ours) {
    throw new ValidationError(`\`${prop}\` must be in the stack's partition (${ours}), got '${value}' in ${partition}: DynamoDB replicates a global table only within one partition`, scope);
  }
}

function validateTableName(scope: IConstruct, value: string): void {
  if (typeof value === 'string' && Token.isUnresolved(value)) {
    return;
  }
  if (typeof value !== 'string' || !TABLE_NAME.test(value)) {
    throw new ValidationError(`\`replication.tableName\` must be a DynamoDB table name of 3 to 255 letters, digits, '_', '-' or '.', got ${describe(value)}: use the same fixed name in every region, such as 'my-api-block-list'`, scope);
  }
}

function validateAliasName(scope: IConstruct, prop: string, aliasName: string): void {
  if (Token.isUnresolved(aliasName)) {
    return;
  }
  const name = aliasName.slice(KMS_ALIAS_PREFIX.length);
  if (!ALIAS_NAME.test(name) || aliasName.length > MAX_ALIAS_NAME_LENGTH || aliasName.startsWith(AWS_ALIAS_PREFIX)) {
    throw new ValidationError(`\`${prop}\` must be a KMS alias name of letters, digits, '/', '_' and '-' (at most ${MAX_ALIAS_NAME_LENGTH} characters with 'alias/', not under 'alias/aws/', which AWS reserves), got '${aliasName}'`, scope);
  }
}
