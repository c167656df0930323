import { readFileSync } from 'node:fs';
import { Annotations, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { ValidationError } from '../private/validation-error';
import { truststoreCertificateProblems } from '../private/truststore-certificates';
import { describe } from '../private/validators';

/** Where a truststore is: the object API Gateway reads, pinned to one version. */
export interface TruststoreConfig {
  /** The bucket. */
  readonly bucket: s3.IBucket;
  /** The object's key. */
  readonly key: string;
  /** The object's version: API Gateway reads this one, so an overwrite takes effect only on deploy. */
  readonly version: string;
  /**
   * The bucket that receives the truststore bucket's server access logs.
   *
   * @default - undefined for a truststore in the user's own bucket
   */
  readonly accessLogBucket?: s3.IBucket;
  /**
   * The custom resource that uploads the PEM file.
   *
   * @default - undefined for a truststore in the user's own bucket
   */
  readonly upload?: cr.AwsCustomResource;
}

/** What a domain gives its truststore when it binds it. */
export interface TruststoreBindOptions {
  /**
   * The key of the domain's first API, for a truststore bucket the library creates.
   *
   * @default - none: the truststore needs its own key
   */
  readonly defaultKey?: kms.IKey;
}

/** Options of a truststore the library uploads from a PEM file. */
export interface PemTruststoreOptions {
  /**
   * The key that encrypts the truststore bucket.
   *
   * @default - the key of the domain's first API version (`api.key`)
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * The object key of the truststore in its bucket.
   *
   * @default 'truststore.pem'
   */
  readonly objectKey?: string;

  /**
   * What happens to the truststore bucket and its access-log bucket when they leave the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The CA certificates a domain with mutual TLS trusts to issue client certificates: a PEM file the
 * library uploads to an encrypted bucket, or an object in a bucket of yours, pinned to a version.
 */
export abstract class Truststore {
  /**
   * A PEM file of CA certificates, read at synth and uploaded to a truststore bucket the library
   * creates: KMS-encrypted, versioned, private, TLS-only, with server access logs. Synth warns
   * (`secure-api:truststore-certificate`) about each certificate API Gateway would not accept.
   *
   * @param path the PEM file
   */
  public static fromPemFile(path: string, options: PemTruststoreOptions = {}): Truststore {
    return new PemFileTruststore(path, options);
  }

  /**
   * A truststore you upload yourself.
   *
   * @param bucket the bucket
   * @param key the object's key
   * @param version the object's version, which API Gateway reads: required, so an overwrite of the
   * object cannot change who may call the API without a deploy
   */
  public static fromBucket(bucket: s3.IBucket, key: string, version: string): Truststore {
    return new BucketTruststore(bucket, key, version);
  }

  /** Creates what the truststore needs under `scope` and says where it is. */
  public abstract bind(scope: Construct, options: TruststoreBindOptions): TruststoreConfig;
}

/** The object key of an uploaded truststore. */
const DEFAULT_OBJECT_KEY = 'truststore.pem';

class PemFileTruststore extends Truststore {
  constructor(private readonly path: string, private readonly options: PemTruststoreOptions) {
    super();
  }

  public bind(scope: Construct, options: TruststoreBindOptions): TruststoreConfig {
    let pem: string;
    try {
      pem = readFileSync(this.path, 'utf8');
    } catch (error) {
      throw new ValidationError(`\`mutualTls.truststore\` names the PEM file ${describe(this.path)}, which cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): give the path of a file of PEM CA certificates`, scope);
    }
    const key = this.options.encryptionKey ?? options.defaultKey;
    if (key === undefined) {
      throw new ValidationError('`mutualTls.truststore` from a PEM file needs a KMS key for its bucket: give `encryptionKey` to Truststore.fromPemFile(), or an API in `versions` (its key is used)', scope);
    }
    for (const problem of truststoreCertificateProblems(pem)) {
      Annotations.of(scope).addWarningV2('secure-api:truststore-certificate', `The truststore ${this.path}: ${problem}`);
    }
    const objectKey = this.options.objectKey ?? DEFAULT_OBJECT_KEY;
    const removalPolicy = this.options.removalPolicy ?? RemovalPolicy.RETAIN;
    const secure: s3.BucketProps = {
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy,
    };
    // Server access logs cannot be delivered to a bucket encrypted with SSE-KMS: S3-managed keys.
    const accessLogBucket = new s3.Bucket(scope, 'TruststoreAccessLogs', { ...secure, encryption: s3.BucketEncryption.S3_MANAGED });
    const bucket = new s3.Bucket(scope, 'TruststoreBucket', {
      ...secure,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: key,
      bucketKeyEnabled: true,
      serverAccessLogsBucket: accessLogBucket,
      serverAccessLogsPrefix: 'truststore/',
    });
    const putObject: cr.AwsSdkCall = {
      service: 'S3',
      action: 'putObject',
      parameters: { Bucket: bucket.bucketName, Key: objectKey, Body: pem, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: key.keyArn },
      // Each upload is a new version: the resource's id follows it, so the domain is updated with it.
      physicalResourceId: cr.PhysicalResourceId.fromResponse('VersionId'),
      outputPaths: ['VersionId'],
    };
    const upload = new cr.AwsCustomResource(scope, 'TruststoreUpload', {
      onCreate: putObject,
      onUpdate: putObject,
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [bucket.arnForObjects(objectKey)] }),
      ]),
      installLatestAwsSdk: false,
    });
    key.grant(upload, 'kms:GenerateDataKey');
    return { bucket, key: objectKey, version: upload.getResponseField('VersionId'), accessLogBucket, upload };
  }
}

class BucketTruststore extends Truststore {
  constructor(private readonly bucket: s3.IBucket, private readonly key: string, private readonly version: string) {
    super();
  }

  public bind(scope: Construct): TruststoreConfig {
    if (!Token.isUnresolved(this.key) && (typeof this.key !== 'string' || this.key.length === 0)) {
      throw new ValidationError(`\`mutualTls.truststore\` needs the object's key, got ${describe(this.key)}: give the key of the PEM object, such as 'truststore.pem'`, scope);
    }
    if (!Token.isUnresolved(this.version) && (typeof this.version !== 'string' || this.version.trim().length === 0)) {
      throw new ValidationError(`\`mutualTls.truststore\` needs the object's version, got ${describe(this.version)}: pin the version API Gateway reads (the VersionId of the upload), so an overwrite cannot change who may call the API`, scope);
    }
    return { bucket: this.bucket, key: this.key, version: this.version };
  }
}
