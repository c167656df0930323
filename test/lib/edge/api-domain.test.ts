import { Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ApiDomain, ApiDomainProps, LambdaRouteIntegration, RouteAuthorization, SecureRestApi, Truststore } from '../../../lib';
import { ValidationError } from '../../../lib/private/validation-error';
import { errorOf } from '../../helpers/errors';
import { inlineFunction, newStack } from '../../helpers/stack';
import { skipTemplateValidatorInThisFile } from '../../helpers/template-validator';

// Many variations of one configuration: the rule engine checks each construct in test/lib/template-validation.test.ts.
skipTemplateValidatorInThisFile();

const CERTIFICATE_ARN = 'arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';

function newApi(stack: Stack, id = 'Api', stageName?: string) {
  const api = new SecureRestApi(stack, id, { alarms: { enabled: false }, stageName });
  api.addRoute('GET /health', { authorization: RouteAuthorization.publicAccess('health check'), integration: new LambdaRouteIntegration(inlineFunction(stack, `${id}Handler`)) });
  return api;
}

function newDomain(props: Partial<ApiDomainProps> = {}, stack = newStack()) {
  const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', CERTIFICATE_ARN);
  const domain = new ApiDomain(stack, 'Domain', { domainName: 'api.example.com', certificate, ...props });
  return { stack, domain };
}

function zone(stack: Stack) {
  return route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z123456789', zoneName: 'example.com' });
}

describe('ApiDomain', () => {
  test('defaults: REGIONAL, TLS 1.3 only, STRICT endpoint access, IPv4, the given certificate', () => {
    const { stack, domain } = newDomain();
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::DomainName', {
      DomainName: 'api.example.com',
      RegionalCertificateArn: CERTIFICATE_ARN,
      CertificateArn: Match.absent(),
      EndpointConfiguration: { Types: ['REGIONAL'], IpAddressType: 'ipv4' },
      SecurityPolicy: 'SecurityPolicy_TLS13_1_3_2025_09',
      EndpointAccessMode: 'STRICT',
      MutualTlsAuthentication: Match.absent(),
    });
    expect(domain.url).toBe('https://api.example.com/');
    expect(domain.aRecord).toBeUndefined();
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });

  test.each([
    apigw.SecurityPolicy.TLS13_1_3_FIPS_2025_09,
    apigw.SecurityPolicy.TLS13_1_2_PQ_2025_09,
    apigw.SecurityPolicy.TLS13_1_2_PFS_PQ_2025_09,
  ])('accepts the enhanced regional policy %s, STRICT', (securityPolicy) => {
    const { stack } = newDomain({ securityPolicy });
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::DomainName', { SecurityPolicy: securityPolicy, EndpointAccessMode: 'STRICT' });
  });

  test('warns when a mapped API negotiates TLS with another policy than the domain states', () => {
    const stack = newStack();
    const api = newApi(stack);
    newDomain({ securityPolicy: apigw.SecurityPolicy.TLS13_1_3_2025_09, versions: [{ basePath: 'v1', api }] }, stack);
    Annotations.fromStack(stack).hasWarning('/TestStack/Domain', Match.stringLikeRegexp(
      "The domain api.example.com \\(securityPolicy SecurityPolicy_TLS13_1_3_2025_09\\) maps TestStack/Api under 'v1', whose tlsSecurityPolicy is SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09: API Gateway negotiates TLS with the API's policy, so give the API `tlsSecurityPolicy: SecurityPolicy.TLS13_1_3_2025_09` or the domain the API's policy.*\\[ack: secure-api:domain-api-tls-policy\\]"));

    const matching = newStack();
    const strictApi = new SecureRestApi(matching, 'Api', { alarms: { enabled: false }, tlsSecurityPolicy: apigw.SecurityPolicy.TLS13_1_3_2025_09 });
    strictApi.addRoute('GET /health', { authorization: RouteAuthorization.publicAccess('health check'), integration: new LambdaRouteIntegration(inlineFunction(matching)) });
    newDomain({ versions: [{ basePath: 'v1', api: strictApi }] }, matching);
    Annotations.fromStack(matching).hasNoWarning('*', Match.stringLikeRegexp('domain-api-tls-policy'));
  });

  test('BASIC endpoint access for migrations, with a warning', () => {
    const { stack } = newDomain({ endpointAccessMode: apigw.EndpointAccessMode.BASIC });
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::DomainName', { EndpointAccessMode: 'BASIC' });
    Annotations.fromStack(stack).hasWarning('/TestStack/Domain', Match.stringLikeRegexp('endpoint access mode BASIC.*\\[ack: secure-api:domain-basic-access-mode\\]'));
  });

  test('legacy TLS_1_2 with a warning, and without an endpoint access mode', () => {
    const { stack } = newDomain({ securityPolicy: apigw.SecurityPolicy.TLS_1_2 });
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::DomainName', { SecurityPolicy: 'TLS_1_2', EndpointAccessMode: Match.absent() });
    Annotations.fromStack(stack).hasWarning('/TestStack/Domain', Match.stringLikeRegexp('legacy security policy TLS_1_2.*\\[ack: secure-api:domain-legacy-tls\\]'));
  });

  test('dual-stack: the domain answers on IPv6 too, and gets A and AAAA alias records', () => {
    const stack = newStack();
    const { domain } = newDomain({ ipAddressType: apigw.IpAddressType.DUAL_STACK, hostedZone: zone(stack) }, stack);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGateway::DomainName', { EndpointConfiguration: { Types: ['REGIONAL'], IpAddressType: 'dualstack' } });
    const alias = { AliasTarget: { DNSName: { 'Fn::GetAtt': [Match.anyValue(), 'RegionalDomainName'] }, HostedZoneId: { 'Fn::GetAtt': [Match.anyValue(), 'RegionalHostedZoneId'] } } };
    template.hasResourceProperties('AWS::Route53::RecordSet', { Type: 'A', Name: 'api.example.com.', HostedZoneId: 'Z123456789', ...alias });
    template.hasResourceProperties('AWS::Route53::RecordSet', { Type: 'AAAA', Name: 'api.example.com.', HostedZoneId: 'Z123456789', ...alias });
    expect(domain.aaaaRecord).toBeDefined();
  });

  test('IPv4: an A record only; `createDnsRecords: false` creates none', () => {
    const stack = newStack();
    newDomain({ hostedZone: zone(stack) }, stack);
    Template.fromStack(stack).resourcePropertiesCountIs('AWS::Route53::RecordSet', { Type: 'A' }, 1);
    Template.fromStack(stack).resourcePropertiesCountIs('AWS::Route53::RecordSet', { Type: 'AAAA' }, 0);
    const other = newStack();
    newDomain({ hostedZone: zone(other), createDnsRecords: false }, other);
    Template.fromStack(other).resourceCountIs('AWS::Route53::RecordSet', 0);
  });

  test('without a certificate, one is requested and validated in the hosted zone', () => {
    const stack = newStack();
    const domain = new ApiDomain(stack, 'Domain', { domainName: 'api.example.com', hostedZone: zone(stack) });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: 'api.example.com',
      ValidationMethod: 'DNS',
      DomainValidationOptions: [{ DomainName: 'api.example.com', HostedZoneId: 'Z123456789' }],
    });
    template.hasResourceProperties('AWS::ApiGateway::DomainName', { RegionalCertificateArn: { Ref: Match.stringLikeRegexp('DomainCertificate') } });
    expect(domain.certificate).toBeInstanceOf(acm.Certificate);
  });

  test('maps versions under single-level (base path mapping) and multi-level (API mapping) paths', () => {
    const stack = newStack();
    const v1 = newApi(stack, 'V1', 'v1');
    const v2 = newApi(stack, 'V2', 'v2');
    const { domain } = newDomain({ versions: [{ basePath: 'v1', api: v1 }] }, stack);
    domain.addVersion('v2/pets', v2);
    const template = Template.fromStack(stack);
    const domainRef = { Ref: Match.stringLikeRegexp('Domain') };
    template.hasResourceProperties('AWS::ApiGateway::BasePathMapping', { DomainName: domainRef, BasePath: 'v1', RestApiId: { Ref: Match.stringLikeRegexp('^V1') }, Stage: { Ref: Match.stringLikeRegexp('^V1.*DeploymentStage') } });
    template.hasResourceProperties('AWS::ApiGatewayV2::ApiMapping', { DomainName: domainRef, ApiMappingKey: 'v2/pets', ApiId: { Ref: Match.stringLikeRegexp('^V2') }, Stage: { Ref: Match.stringLikeRegexp('^V2.*DeploymentStage') } });
  });

  test('maps one version at the root, alone', () => {
    const stack = newStack();
    const v1 = newApi(stack, 'V1', 'v1');
    newDomain({ versions: [{ basePath: '', api: v1 }] }, stack);
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::BasePathMapping', { BasePath: Match.absent(), RestApiId: { Ref: Match.stringLikeRegexp('^V1') } });
  });

  test('by default states the policy its APIs negotiate, so the default pairing does not warn', () => {
    const stack = newStack();
    const api = newApi(stack);
    newDomain({ versions: [{ basePath: 'v1', api }] }, stack);
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::DomainName', { SecurityPolicy: 'SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09', EndpointAccessMode: 'STRICT' });
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });

  test('disables the execute-api endpoint of every API it maps, unless `keepExecuteApiEndpoint`', () => {
    const stack = newStack();
    const mapped = newApi(stack, 'Mapped');
    newApi(stack, 'Unmapped');
    newDomain({ versions: [{ basePath: 'v1', api: mapped }] }, stack);
    const template = Template.fromStack(stack);
    template.resourcePropertiesCountIs('AWS::ApiGateway::RestApi', { DisableExecuteApiEndpoint: true }, 1);
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { Name: Match.stringLikeRegexp('Mapped'), DisableExecuteApiEndpoint: true });

    const kept = newStack();
    newDomain({ versions: [{ basePath: 'v1', api: newApi(kept) }], keepExecuteApiEndpoint: true }, kept);
    Template.fromStack(kept).hasResourceProperties('AWS::ApiGateway::RestApi', { DisableExecuteApiEndpoint: Match.absent() });
  });

  describe('refuses', () => {
    test.each([
      'Api.example.com', 'localhost', 'api..example.com', '-api.example.com', 'api-.example.com', 'api.example.com.', 'api_v1.example.com',
      `${'a'.repeat(64)}.example.com`, `${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.example.com`,
    ])('the domain name %s', (domainName) => {
      expect(errorOf(ValidationError, () => newDomain({ domainName })).message)
        .toContain(`\`domainName\` must be a DNS name of at least two labels, each 1 to 63 lowercase letters, digits and '-' (not first or last), at most 253 characters in all, got '${domainName}': write it as 'api.example.com'`);
    });

    test('neither a certificate nor a hosted zone', () => {
      expect(errorOf(ValidationError, () => new ApiDomain(newStack(), 'Domain', { domainName: 'api.example.com' })).message)
        .toBe('`certificate` or `hostedZone` must be given: give a certificate of the domain in this region, or the hosted zone to request and validate one in (at TestStack/Domain)');
    });

    test('a certificate of another region', () => {
      const stack = newStack();
      const arn = 'arn:aws:acm:us-east-1:123456789012:certificate/abc';
      const certificate = acm.Certificate.fromCertificateArn(stack, 'Edge', arn);
      expect(errorOf(ValidationError, () => newDomain({ certificate }, stack)).message)
        .toBe(`\`certificate\` must be in the API's region eu-west-1, got '${arn}' in us-east-1: a REGIONAL domain needs a certificate of its own region (only an EDGE domain takes one in us-east-1); request or import one in eu-west-1 (at TestStack/Domain)`);
    });

    test('a domain outside the hosted zone', () => {
      const stack = newStack();
      expect(errorOf(ValidationError, () => newDomain({ domainName: 'api.example.org', hostedZone: zone(stack) }, stack)).message)
        .toContain('`domainName` \'api.example.org\' is not in `hostedZone` \'example.com\': give the zone that holds the domain');
    });

    test.each([
      apigw.SecurityPolicy.TLS13_2025_EDGE, apigw.SecurityPolicy.TLS12_PFS_2025_EDGE, apigw.SecurityPolicy.TLS12_2018_EDGE,
    ])('the EDGE policy %s', (securityPolicy) => {
      expect(errorOf(ValidationError, () => newDomain({ securityPolicy })).message)
        .toBe(`\`securityPolicy\` '${securityPolicy}' is for EDGE endpoints, while this domain is REGIONAL: use SecurityPolicy.TLS13_1_3_2025_09 (the default), TLS13_1_3_FIPS_2025_09, TLS13_1_2_PQ_2025_09 or TLS13_1_2_PFS_PQ_2025_09 (at TestStack/Domain)`);
    });

    test('TLS_1_0', () => {
      expect(errorOf(ValidationError, () => newDomain({ securityPolicy: apigw.SecurityPolicy.TLS_1_0 })).message)
        .toContain('`securityPolicy` \'TLS_1_0\' accepts TLS 1.0 and 1.1, which are deprecated and refused here: use SecurityPolicy.TLS13_1_3_2025_09 (the default)');
    });

    test('an endpoint access mode with TLS_1_2', () => {
      expect(errorOf(ValidationError, () => newDomain({ securityPolicy: apigw.SecurityPolicy.TLS_1_2, endpointAccessMode: apigw.EndpointAccessMode.STRICT })).message)
        .toContain('`endpointAccessMode` applies only to the enhanced security policies, got \'STRICT\' with `securityPolicy` \'TLS_1_2\': remove it, or choose an enhanced policy');
    });

    test('an unknown address type', () => {
      expect(errorOf(ValidationError, () => newDomain({ ipAddressType: 'ipv6' as apigw.IpAddressType })).message)
        .toContain('`ipAddressType` must be one of \'ipv4\', \'dualstack\', got \'ipv6\'');
    });

    test.each(['/v1', 'v1/', 'v1//pets', 'v 1', 'v1/pets?x', 'ünicode', '/'])('the base path %j', (basePath) => {
      const stack = newStack();
      const { domain } = newDomain({}, stack);
      expect(errorOf(ValidationError, () => domain.addVersion(basePath, newApi(stack))).message)
        .toBe(`\`basePath\` must be segments of letters, digits, '.', '_' and '-' joined by single '/', with no '/' first or last, got '${basePath}': write it as 'v1' or 'v1/pets', or '' to map the domain's root (at TestStack/Domain)`);
    });

    test('a base path used twice, naming both APIs; the root twice', () => {
      const stack = newStack();
      const v1 = newApi(stack, 'V1');
      const other = newApi(stack, 'Other');
      const { domain } = newDomain({ versions: [{ basePath: 'v1/pets', api: v1 }] }, stack);
      expect(errorOf(ValidationError, () => domain.addVersion('v1/pets', other)).message)
        .toBe('`basePath` \'v1/pets\' is already mapped to TestStack/V1, so it cannot map TestStack/Other too: give each version its own base path (at TestStack/Domain)');
      const root = newStack();
      const { domain: rootDomain } = newDomain({ versions: [{ basePath: '', api: newApi(root, 'V1') }] }, root);
      expect(errorOf(ValidationError, () => rootDomain.addVersion('', newApi(root, 'Other'))).message)
        .toContain('`basePath` the root (\'\') is already mapped to TestStack/V1, so it cannot map TestStack/Other too');
    });

    test('the root next to another base path, either way round (API Gateway allows no other mapping beside the root)', () => {
      const stack = newStack();
      const v1 = newApi(stack, 'V1');
      const v2 = newApi(stack, 'V2');
      const { domain } = newDomain({ versions: [{ basePath: 'v1', api: v1 }] }, stack);
      expect(errorOf(ValidationError, () => domain.addVersion('', v2)).message)
        .toBe('`basePath` \'v1\' and the root (\'\') cannot both be mapped (the root maps TestStack/V2): API Gateway allows no other mapping on a domain whose root is mapped; give every version a base path such as \'v1\' (at TestStack/Domain)');
      const root = newStack();
      const { domain: rootDomain } = newDomain({ versions: [{ basePath: '', api: newApi(root, 'V1') }] }, root);
      expect(errorOf(ValidationError, () => rootDomain.addVersion('v2', newApi(root, 'V2'))).message)
        .toContain('`basePath` \'v2\' and the root (\'\') cannot both be mapped (the root maps TestStack/V1)');
    });

    test('an API that is not a SecureRestApi', () => {
      const { domain } = newDomain();
      expect(errorOf(ValidationError, () => domain.addVersion('v1', { node: { path: 'TestStack/Other' } } as any)).message)
        .toBe('`addVersion` maps \'TestStack/Other\' under \'v1\', which is not a SecureRestApi: give the SecureRestApi of the version (at TestStack/Domain)');
    });
  });
});

describe('ApiDomain with mutual TLS from a bucket of yours', () => {
  test('points at the object, pinned to its version', () => {
    const stack = newStack();
    const bucket = s3.Bucket.fromBucketName(stack, 'Trust', 'my-truststore');
    newDomain({ securityPolicy: apigw.SecurityPolicy.TLS_1_2, mutualTls: { truststore: Truststore.fromBucket(bucket, 'ca.pem', 'v-123') } }, stack);
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::DomainName', {
      SecurityPolicy: 'TLS_1_2',
      MutualTlsAuthentication: { TruststoreUri: 's3://my-truststore/ca.pem', TruststoreVersion: 'v-123' },
    });
    // Mutual TLS needs TLS_1_2: no legacy-policy warning for it.
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('domain-legacy-tls'));
  });

  test('defaults to TLS_1_2, the one policy API Gateway allows with mutual TLS, without the legacy-policy warning', () => {
    const stack = newStack();
    const bucket = s3.Bucket.fromBucketName(stack, 'Trust', 'my-truststore');
    newDomain({ mutualTls: { truststore: Truststore.fromBucket(bucket, 'ca.pem', 'v-1') } }, stack);
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::DomainName', { SecurityPolicy: 'TLS_1_2', EndpointAccessMode: Match.absent() });
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('domain-legacy-tls'));
  });

  test('refuses a missing truststore, an empty version, and an enhanced policy', () => {
    const stack = newStack();
    const bucket = s3.Bucket.fromBucketName(stack, 'Trust', 'my-truststore');
    expect(errorOf(ValidationError, () => newDomain({ securityPolicy: apigw.SecurityPolicy.TLS_1_2, mutualTls: {} as any }, stack)).message)
      .toBe('`mutualTls.truststore` is required: give Truststore.fromPemFile(\'ca.pem\') or Truststore.fromBucket(bucket, key, version) (at TestStack/Domain)');
    expect(errorOf(ValidationError, () => newDomain({ securityPolicy: apigw.SecurityPolicy.TLS_1_2, mutualTls: { truststore: Truststore.fromBucket(bucket, 'ca.pem', '') } })).message)
      .toContain('`mutualTls.truststore` needs the object\'s version, got \'\': pin the version API Gateway reads');
    expect(errorOf(ValidationError, () => newDomain({ securityPolicy: apigw.SecurityPolicy.TLS13_1_3_2025_09, mutualTls: { truststore: Truststore.fromBucket(bucket, 'ca.pem', 'v-1') } })).message)
      .toContain('`mutualTls` cannot be used with `securityPolicy` \'SecurityPolicy_TLS13_1_3_2025_09\': API Gateway does not enable mutual TLS on a domain with an enhanced security policy; set `securityPolicy: SecurityPolicy.TLS_1_2`');
  });
});
