import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ApiDomain, LambdaRouteIntegration, RouteAuthorization, SecureRestApi, Truststore } from '../../../lib';
import { ValidationError } from '../../../lib/private/validation-error';
import { opensslCertificate, pemFile } from '../../helpers/certificates';
import { errorOf } from '../../helpers/errors';
import { inlineFunction, logicalId, newStack } from '../../helpers/stack';
import { skipTemplateValidatorInThisFile } from '../../helpers/template-validator';

// Many variations of one configuration: the rule engine checks each construct in test/lib/template-validation.test.ts.
skipTemplateValidatorInThisFile();

const CERTIFICATE_ARN = 'arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';
const GOOD_CA = opensslCertificate(['ec', '-pkeyopt', 'ec_paramgen_curve:P-256']);

function newApi(stack: Stack) {
  const api = new SecureRestApi(stack, 'Api', { alarms: { enabled: false } });
  api.addRoute('GET /health', { authorization: RouteAuthorization.publicAccess('health check'), integration: new LambdaRouteIntegration(inlineFunction(stack)) });
  return api;
}

function mtlsDomain(truststore: Truststore, stack = newStack(), withApi = true) {
  const api = withApi ? newApi(stack) : undefined;
  const domain = new ApiDomain(stack, 'Domain', {
    domainName: 'api.example.com',
    certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', CERTIFICATE_ARN),
    securityPolicy: apigw.SecurityPolicy.TLS_1_2,
    mutualTls: { truststore },
    versions: api ? [{ basePath: 'v1', api }] : [],
  });
  return { stack, api, domain, template: Template.fromStack(stack) };
}

describe('a truststore uploaded from a PEM file', () => {
  test('the bucket is encrypted with the API\'s key, versioned, private, TLS-only, bucket-owned, retained, and logs its access', () => {
    const { stack, api, domain, template } = mtlsDomain(Truststore.fromPemFile(pemFile(GOOD_CA)));
    const bucketId = logicalId(stack, domain.truststore!.bucket);
    const logsId = logicalId(stack, domain.truststore!.accessLogBucket!);
    template.hasResource('AWS::S3::Bucket', {
      Properties: {
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [logicalId(stack, api!.key), 'Arn'] } }, BucketKeyEnabled: true }] },
        VersioningConfiguration: { Status: 'Enabled' },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        LoggingConfiguration: { DestinationBucketName: { Ref: logsId }, LogFilePrefix: 'truststore/' },
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    expect(template.toJSON().Resources[bucketId].Properties.LoggingConfiguration).toBeDefined();
    // Server access logs cannot go to an SSE-KMS bucket.
    template.hasResource('AWS::S3::Bucket', {
      Properties: {
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        VersioningConfiguration: { Status: 'Enabled' },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      },
      DeletionPolicy: 'Retain',
    });
    for (const id of [bucketId, logsId]) {
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: id },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
            Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
          ]),
        },
      });
    }
  });

  test('the PEM is uploaded with PutObject (SSE-KMS) on create and update, and the domain is pinned to the upload\'s VersionId', () => {
    const { stack, api, domain, template } = mtlsDomain(Truststore.fromPemFile(pemFile(GOOD_CA)));
    const uploadId = logicalId(stack, domain.truststore!.upload!);
    const upload = template.toJSON().Resources[uploadId];
    for (const event of ['Create', 'Update']) {
      const call = stack.resolve(upload.Properties[event]);
      const text = typeof call === 'string' ? call : call['Fn::Join'][1].map((part: unknown) => (typeof part === 'string' ? part : JSON.stringify(part))).join('');
      expect(text).toContain('"action":"putObject"');
      expect(text).toContain('"Key":"truststore.pem"');
      expect(text).toContain('"ServerSideEncryption":"aws:kms"');
      expect(text).toContain(JSON.stringify(GOOD_CA).slice(1, 60));
      expect(text).toContain(`{"Ref":"${logicalId(stack, domain.truststore!.bucket)}"}`);
      expect(text).toContain(`{"Fn::GetAtt":["${logicalId(stack, api!.key)}","Arn"]}`);
      expect(text).toContain('"physicalResourceId":{"responsePath":"VersionId"}');
    }
    expect(upload.Properties.InstallLatestAwsSdk).toBe(false);
    template.hasResourceProperties('AWS::ApiGateway::DomainName', {
      MutualTlsAuthentication: {
        TruststoreUri: { 'Fn::Join': ['', ['s3://', { Ref: logicalId(stack, domain.truststore!.bucket) }, '/truststore.pem']] },
        TruststoreVersion: { 'Fn::GetAtt': [uploadId, 'VersionId'] },
      },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 's3:PutObject', Effect: 'Allow' })]) },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'kms:GenerateDataKey', Resource: { 'Fn::GetAtt': [logicalId(stack, api!.key), 'Arn'] } })]) },
    });
  });

  test('a given key, object key and removal policy', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'TrustKey');
    const { template } = mtlsDomain(Truststore.fromPemFile(pemFile(GOOD_CA), { encryptionKey: key, objectKey: 'ca/bundle.pem', removalPolicy: RemovalPolicy.DESTROY }), stack, false);
    template.hasResource('AWS::S3::Bucket', {
      Properties: { BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { KMSMasterKeyID: { 'Fn::GetAtt': [logicalId(stack, key), 'Arn'] } } }] } },
      DeletionPolicy: 'Delete',
    });
    template.hasResourceProperties('AWS::ApiGateway::DomainName', { MutualTlsAuthentication: { TruststoreUri: { 'Fn::Join': ['', ['s3://', Match.anyValue(), '/ca/bundle.pem']] } } });
  });

  test('warns about each certificate API Gateway would not accept', () => {
    const weak = opensslCertificate(['rsa:1024']);
    const leaf = opensslCertificate(['ec', '-pkeyopt', 'ec_paramgen_curve:P-256'], { ca: false });
    const file = pemFile(`${GOOD_CA}${weak}${leaf}`);
    const { stack } = mtlsDomain(Truststore.fromPemFile(file));
    const warnings = Annotations.fromStack(stack).findWarning('/TestStack/Domain', Match.stringLikeRegexp('secure-api:truststore-certificate'));
    expect(warnings.map((warning) => warning.entry.data)).toEqual([
      expect.stringMatching(new RegExp(`^The truststore ${file}: certificate 2 \\(CN=cert-\\d+\\) has an RSA key of 1024 bits: API Gateway accepts RSA keys of 2048 bits or more`)),
      expect.stringMatching(/^The truststore .*: certificate 3 \(CN=cert-\d+\) is not a CA certificate/),
    ]);
  });

  test('refuses a file that cannot be read, and a PEM truststore without a key', () => {
    expect(errorOf(ValidationError, () => mtlsDomain(Truststore.fromPemFile('/nonexistent/ca.pem'))).message)
      .toBe('`mutualTls.truststore` names the PEM file \'/nonexistent/ca.pem\', which cannot be read (ENOENT): give the path of a file of PEM CA certificates (at TestStack/Domain)');
    expect(errorOf(ValidationError, () => mtlsDomain(Truststore.fromPemFile(pemFile(GOOD_CA)), newStack(), false)).message)
      .toBe('`mutualTls.truststore` from a PEM file needs a KMS key for its bucket: give `encryptionKey` to Truststore.fromPemFile(), or an API in `versions` (its key is used) (at TestStack/Domain)');
  });
});
