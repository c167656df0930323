/** Which part a region's {@link AbuseBlocker} plays in a block list replicated across regions. */
export enum BlockListReplicationRole {
  /** The region whose stack creates the DynamoDB global table and its replicas. */
  PRIMARY = 'PRIMARY',
  /** A region whose replica of the global table the primary region's stack creates. */
  REPLICA = 'REPLICA',
}

/** A region the primary region's stack puts a replica of the block list's table in. */
export interface BlockListReplicaRegion {
  /** The region, such as 'us-east-1'. It must not be the primary stack's own region. */
  readonly region: string;

  /**
   * The name of the KMS alias, in `region`, of the key that encrypts the replica there: the alias
   * the blocker of that region's stack creates on its API's key
   * (`BlockListReplication.replica({ keyAliasName })`). With or without the `alias/` prefix.
   *
   * @default - 'alias/secure-api/<tableName>', the default of `BlockListReplication.replica()`
   */
  readonly keyAliasName?: string;
}

/** Options of {@link BlockListReplication.primary}. */
export interface PrimaryBlockListOptions {
  /**
   * The global table's name, the same in every region: 3 to 255 letters, digits, '_', '-' and '.'.
   * It is fixed so that the other regions' stacks can find their replica by name at synth.
   */
  readonly tableName: string;

  /** The other regions, each with a replica of the table. At least one. */
  readonly replicaRegions: BlockListReplicaRegion[];
}

/** Options of {@link BlockListReplication.replica}. */
export interface ReplicaBlockListOptions {
  /** The global table's name, as given to `BlockListReplication.primary()` in the primary region. */
  readonly tableName: string;

  /** The region whose stack creates the global table (`BlockListReplication.primary()`). */
  readonly primaryRegion: string;

  /**
   * The name of the KMS alias the blocker creates on this region's API key, for the primary
   * region's stack to encrypt this region's replica with (its `replicaRegions[].keyAliasName`).
   * With or without the `alias/` prefix.
   *
   * @default 'alias/secure-api/<tableName>'
   */
  readonly keyAliasName?: string;
}

/**
 * How an {@link AbuseBlocker} shares its block list with the blockers of the API's other regions
 * (one stack per region): all of them keep their counters and blocks in one DynamoDB global table,
 * and each region's sweep rebuilds its own AWS WAF IP sets from every live block in its replica.
 * A block recorded in one region reaches the others' web ACLs within one sweep interval plus the
 * table's replication lag (typically a second or two).
 *
 * One region's stack creates the table (`primary()`), with a replica in each other region; every
 * other region's stack uses its replica by name (`replica()`), and creates the KMS alias that the
 * primary's stack names as that replica's key. Deploy the replica regions' stacks first: the
 * alias must exist when the primary's stack creates the replica.
 */
export class BlockListReplication {
  /**
   * This region's stack creates the global table, encrypted here with the API's key, with a
   * replica in each of `replicaRegions`, encrypted there with the key their alias names.
   */
  public static primary(options: PrimaryBlockListOptions): BlockListReplication {
    return new BlockListReplication(BlockListReplicationRole.PRIMARY, options.tableName, options.replicaRegions, undefined, undefined);
  }

  /**
   * This region's replica of a global table another region's stack created: the blocker uses it by
   * name, and puts the alias `keyAliasName` on this region's API key for the replica's encryption.
   */
  public static replica(options: ReplicaBlockListOptions): BlockListReplication {
    return new BlockListReplication(BlockListReplicationRole.REPLICA, options.tableName, [], options.primaryRegion, options.keyAliasName);
  }

  /** The part this region plays. */
  public readonly role: BlockListReplicationRole;
  /** The global table's name. */
  public readonly tableName: string;
  /** With `PRIMARY`: the replicas' regions and key aliases; empty with `REPLICA`. */
  public readonly replicaRegions: BlockListReplicaRegion[];
  /** With `REPLICA`: the region whose stack creates the table; undefined with `PRIMARY`. */
  public readonly primaryRegion?: string;
  /** With `REPLICA`: the alias name given, if any. */
  public readonly keyAliasName?: string;

  private constructor(role: BlockListReplicationRole, tableName: string, replicaRegions: BlockListReplicaRegion[], primaryRegion?: string, keyAliasName?: string) {
    this.role = role;
    this.tableName = tableName;
    this.replicaRegions = replicaRegions;
    this.primaryRegion = primaryRegion;
    this.keyAliasName = keyAliasName;
  }
}
