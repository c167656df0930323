import { Annotations, Arn, ArnFormat, Stack, Token } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import { Truststore, TruststoreConfig } from './truststore';
import { ValidationError } from '../private/validation-error';
import { describe, validateOneOf } from '../private/validators';
import { ApiEndpointType, ISecureRestApi, SecureRestApi } from '../secure-rest-api';

/** Mutual TLS: clients present a certificate issued by a CA of the truststore. */
export interface MutualTlsOptions {
  /** The CA certificates that issue client certificates: `Truststore.fromPemFile()` or `Truststore.fromBucket()`. */
  readonly truststore: Truststore;
}

/** One API version served under a base path of the domain. */
export interface ApiDomainVersion {
  /**
   * The base path: `'v1'`, or several segments such as `'v1/pets'`, without leading or trailing
   * `/`; `''` maps the domain's root.
   */
  readonly basePath: string;
  /** The API whose stage answers under the base path. */
  readonly api: ISecureRestApi;
}

/** Properties of an {@link ApiDomain}. */
export interface ApiDomainProps {
  /** The domain name, in lowercase, such as `'api.example.com'`. */
  readonly domainName: string;

  /**
   * The domain's certificate, in the stack's region (the domain is REGIONAL).
   *
   * @default - a certificate is requested from ACM and validated in `hostedZone`, which is then required
   */
  readonly certificate?: acm.ICertificate;

  /**
   * The hosted zone of the domain: the certificate is validated in it, and the alias records go in it.
   *
   * @default - no certificate is requested and no records are created; `certificate` is required
   */
  readonly hostedZone?: route53.IHostedZone;

  /**
   * Whether to create the alias records (A, and AAAA when dual-stack) in `hostedZone`.
   *
   * @default true
   */
  readonly createDnsRecords?: boolean;

  /**
   * The TLS versions and ciphers the domain accepts. The enhanced regional policies and legacy
   * TLS_1_2 (with a warning) are accepted; TLS_1_0 and the EDGE policies are refused. API Gateway
   * negotiates TLS for a mapped API with the API's own policy, so synth warns when they differ.
   *
   * @default - the `tlsSecurityPolicy` of the APIs in `versions` when they all have the same (a
   * `SecureRestApi`'s default is TLS 1.3 and 1.2 with forward secrecy); with `mutualTls`, TLS_1_2
   * (the only policy API Gateway allows with mutual TLS); otherwise
   * apigw.SecurityPolicy.TLS13_1_3_2025_09 (TLS 1.3 only)
   */
  readonly securityPolicy?: apigw.SecurityPolicy;

  /**
   * How strictly an enhanced security policy checks that requests come through this domain's
   * endpoint type with a matching SNI host. BASIC is for migrations, with a warning. Not allowed
   * with the legacy TLS_1_2 policy.
   *
   * @default apigw.EndpointAccessMode.STRICT
   */
  readonly endpointAccessMode?: apigw.EndpointAccessMode;

  /**
   * The addresses the domain answers on.
   *
   * @default apigw.IpAddressType.IPV4
   */
  readonly ipAddressType?: apigw.IpAddressType;

  /**
   * Keep each mapped API's default `execute-api` endpoint, which bypasses the domain's TLS policy
   * and mutual TLS.
   *
   * @default false - the default endpoint of every mapped API is disabled
   */
  readonly keepExecuteApiEndpoint?: boolean;

  /**
   * Mutual TLS. API Gateway does not enable it on a domain with an enhanced security policy: it
   * needs `securityPolicy: SecurityPolicy.TLS_1_2`.
   *
   * @default - no mutual TLS
   */
  readonly mutualTls?: MutualTlsOptions;

  /**
   * The API versions to map. More can be added with {@link ApiDomain.addVersion}.
   *
   * @default - none
   */
  readonly versions?: ApiDomainVersion[];
}

/** Policies API Gateway accepts on a REGIONAL domain, enhanced first. */
const REGIONAL_ENHANCED_POLICIES: readonly apigw.SecurityPolicy[] = [
  apigw.SecurityPolicy.TLS13_1_3_2025_09,
  apigw.SecurityPolicy.TLS13_1_3_FIPS_2025_09,
  apigw.SecurityPolicy.TLS13_1_2_PQ_2025_09,
  apigw.SecurityPolicy.TLS13_1_2_PFS_PQ_2025_09,
];
const EDGE_POLICIES: readonly apigw.SecurityPolicy[] = [
  apigw.SecurityPolicy.TLS13_2025_EDGE,
  apigw.SecurityPolicy.TLS12_PFS_2025_EDGE,
  apigw.SecurityPolicy.TLS12_2018_EDGE,
];

/** A DNS label: 1 to 63 lowercase letters, digits and `-`, not first or last. */
const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
/**
 * A base path segment: letters, digits, `.`, `_` and `-`. API Gateway's single-level base paths take
 * letters, digits and `$-_.+!*'()`; the segments here keep to those that also need no escaping in a
 * URL path (RFC 3986 unreserved), so the same path works with `addApiMapping`.
 */
const BASE_PATH_SEGMENT = /^[A-Za-z0-9._-]+$/;

/**
 * A custom domain for one or more `SecureRestApi` versions: REGIONAL, TLS 1.3 only with strict
 * endpoint access by default, optionally with mutual TLS, alias records and dual-stack addresses.
 * Mapping an API disables its default `execute-api` endpoint, so the domain's TLS policy and mutual
 * TLS cannot be bypassed.
 */
export class ApiDomain extends Construct {
  /** The API Gateway domain name. */
  public readonly domain: apigw.DomainName;
  /** The domain's certificate: the one given, or the one requested. */
  public readonly certificate: acm.ICertificate;
  /** The domain name. */
  public readonly domainName: string;
  /** The security policy of the domain. */
  public readonly securityPolicy: apigw.SecurityPolicy;
  /**
   * The A alias record.
   *
   * @default - undefined without `hostedZone`, or with `createDnsRecords: false`
   */
  public readonly aRecord?: route53.ARecord;
  /**
   * The AAAA alias record.
   *
   * @default - undefined unless the domain is dual-stack and has records
   */
  public readonly aaaaRecord?: route53.AaaaRecord;
  /**
   * Where the mutual TLS truststore is, and the buckets and upload the library created for it.
   *
   * @default - undefined without `mutualTls`
   */
  public readonly truststore?: TruststoreConfig;

  private readonly keepExecuteApiEndpoint: boolean;
  private readonly basePaths = new Map<string, ISecureRestApi>();

  constructor(scope: Construct, id: string, props: ApiDomainProps) {
    super(scope, id);
    this.validateDomainName(props.domainName);
    this.domainName = props.domainName;
    this.keepExecuteApiEndpoint = props.keepExecuteApiEndpoint ?? false;
    this.securityPolicy = props.securityPolicy ?? defaultSecurityPolicy(props);
    const endpointAccessMode = this.validateSecurityPolicy(props);
    const ipAddressType = props.ipAddressType ?? apigw.IpAddressType.IPV4;
    validateOneOf(this, 'ipAddressType', ipAddressType, Object.values(apigw.IpAddressType));
    this.validateHostedZone(props);
    this.certificate = this.certificateFor(props);

    if (props.mutualTls) {
      if (props.mutualTls.truststore === undefined || props.mutualTls.truststore === null) {
        throw new ValidationError('`mutualTls.truststore` is required: give Truststore.fromPemFile(\'ca.pem\') or Truststore.fromBucket(bucket, key, version)', this);
      }
      this.truststore = props.mutualTls.truststore.bind(this, { defaultKey: props.versions?.[0]?.api.key });
    }

    this.domain = new apigw.DomainName(this, 'Resource', {
      domainName: props.domainName,
      certificate: this.certificate,
      endpointType: apigw.EndpointType.REGIONAL,
      securityPolicy: this.securityPolicy,
      endpointAccessMode,
      mtls: this.truststore && { bucket: this.truststore.bucket, key: this.truststore.key, version: this.truststore.version },
    });
    const cfnDomain = this.domain.node.defaultChild as apigw.CfnDomainName;
    // The L2 has no prop for the address type.
    cfnDomain.endpointConfiguration = { ...(cfnDomain.endpointConfiguration as apigw.CfnDomainName.EndpointConfigurationProperty), ipAddressType };
    if (this.truststore?.upload) {
      cfnDomain.node.addDependency(this.truststore.upload);
    }

    if (props.hostedZone && (props.createDnsRecords ?? true)) {
      const target = route53.RecordTarget.fromAlias(new targets.ApiGatewayDomain(this.domain));
      this.aRecord = new route53.ARecord(this, 'AliasRecord', { zone: props.hostedZone, recordName: props.domainName, target });
      if (ipAddressType === apigw.IpAddressType.DUAL_STACK) {
        this.aaaaRecord = new route53.AaaaRecord(this, 'AliasRecordIpv6', { zone: props.hostedZone, recordName: props.domainName, target });
      }
    }

    for (const version of props.versions ?? []) {
      this.addVersion(version.basePath, version.api);
    }
  }

  /** The domain's URL, `https://<domainName>/`. */
  public get url(): string {
    return `https://${this.domainName}/`;
  }

  /**
   * Serves `api`'s stage under `basePath`, and disables its default `execute-api` endpoint (unless
   * `keepExecuteApiEndpoint`). A single-segment path is a base path mapping, a multi-segment one
   * (`'v1/pets'`) an API mapping.
   *
   * @param basePath `'v1'`, `'v1/pets'`, or `''` for the domain's root
   * @param api the API version
   */
  public addVersion(basePath: string, api: ISecureRestApi): void {
    if (!SecureRestApi.isSecureRestApi(api)) {
      throw new ValidationError(`\`addVersion\` maps ${describe(api?.node?.path ?? api)} under ${describe(basePath)}, which is not a SecureRestApi: give the SecureRestApi of the version`, this);
    }
    this.validateBasePath(basePath, api);
    if (SecureRestApi.isSecureRestApi(api) && api.endpointType === ApiEndpointType.PRIVATE) {
      throw new ValidationError(`\`addVersion\` maps ${api.node.path}, a PRIVATE API, under ${describe(basePath)}: a REGIONAL domain serves REGIONAL APIs; give it a private domain or make the API REGIONAL`, this);
    }
    this.basePaths.set(basePath, api);
    this.warnOnPolicyMismatch(basePath, api);
    if (basePath === '') {
      this.domain.addBasePathMapping(api.api, { stage: api.stage });
    } else if (basePath.includes('/')) {
      this.domain.addApiMapping(api.stage, { basePath });
    } else {
      this.domain.addBasePathMapping(api.api, { basePath, stage: api.stage });
    }
    if (!this.keepExecuteApiEndpoint) {
      (api.api.node.defaultChild as apigw.CfnRestApi).disableExecuteApiEndpoint = true;
    }
  }

  /**
   * API Gateway negotiates TLS for a mapped API with the API's own security policy ("When you
   * invoke that custom domain name, API Gateway uses the security policy of the API"), so a domain
   * whose policy differs from its APIs' does not get the handshake it states.
   */
  private warnOnPolicyMismatch(basePath: string, api: ISecureRestApi): void {
    const apiPolicy = SecureRestApi.isSecureRestApi(api) ? api.tlsSecurityPolicy : undefined;
    if (apiPolicy === undefined || Token.isUnresolved(apiPolicy) || Token.isUnresolved(this.securityPolicy) || apiPolicy === this.securityPolicy) {
      return;
    }
    Annotations.of(this).addWarningV2('secure-api:domain-api-tls-policy', `The domain ${this.domainName} (securityPolicy ${this.securityPolicy}) maps ${api.node.path} under ${describe(basePath)}, whose tlsSecurityPolicy is ${apiPolicy}: API Gateway negotiates TLS with the API's policy, so give the API \`tlsSecurityPolicy: SecurityPolicy.${policyName(this.securityPolicy)}\` or the domain the API's policy.`);
  }

  private validateDomainName(domainName: string): void {
    if (typeof domainName === 'string' && Token.isUnresolved(domainName)) {
      return;
    }
    const labels = typeof domainName === 'string' ? domainName.split('.') : [];
    if (labels.length < 2 || domainName.length > 253 || !labels.every((label) => DNS_LABEL.test(label))) {
      throw new ValidationError(`\`domainName\` must be a DNS name of at least two labels, each 1 to 63 lowercase letters, digits and '-' (not first or last), at most 253 characters in all, got ${describe(domainName)}: write it as 'api.example.com'`, this);
    }
  }

  /** Checks the policy and returns the endpoint access mode to set. */
  private validateSecurityPolicy(props: ApiDomainProps): apigw.EndpointAccessMode | undefined {
    const policy = this.securityPolicy;
    if (Token.isUnresolved(policy)) {
      return props.endpointAccessMode;
    }
    const fix = 'use SecurityPolicy.TLS13_1_3_2025_09 (the default), TLS13_1_3_FIPS_2025_09, TLS13_1_2_PQ_2025_09 or TLS13_1_2_PFS_PQ_2025_09';
    if (EDGE_POLICIES.includes(policy)) {
      throw new ValidationError(`\`securityPolicy\` ${describe(policy)} is for EDGE endpoints, while this domain is REGIONAL: ${fix}`, this);
    }
    if (policy === apigw.SecurityPolicy.TLS_1_0) {
      throw new ValidationError(`\`securityPolicy\` ${describe(policy)} accepts TLS 1.0 and 1.1, which are deprecated and refused here: ${fix}`, this);
    }
    if (policy === apigw.SecurityPolicy.TLS_1_2) {
      if (props.endpointAccessMode !== undefined) {
        throw new ValidationError(`\`endpointAccessMode\` applies only to the enhanced security policies, got ${describe(props.endpointAccessMode)} with \`securityPolicy\` 'TLS_1_2': remove it, or choose an enhanced policy`, this);
      }
      if (!props.mutualTls) {
        Annotations.of(this).addWarningV2('secure-api:domain-legacy-tls', `The domain ${this.domainName} uses the legacy security policy TLS_1_2, which accepts TLS 1.2 with CBC ciphers and no endpoint access mode: prefer SecurityPolicy.TLS13_1_3_2025_09 (the default), or TLS13_1_2_PFS_PQ_2025_09 for clients without TLS 1.3.`);
      }
      return undefined;
    }
    if (!REGIONAL_ENHANCED_POLICIES.includes(policy)) {
      throw new ValidationError(`\`securityPolicy\` must be a security policy of a REGIONAL domain, got ${describe(policy)}: ${fix}`, this);
    }
    if (props.mutualTls) {
      throw new ValidationError(`\`mutualTls\` cannot be used with \`securityPolicy\` ${describe(policy)}: API Gateway does not enable mutual TLS on a domain with an enhanced security policy; set \`securityPolicy: SecurityPolicy.TLS_1_2\``, this);
    }
    const mode = props.endpointAccessMode ?? apigw.EndpointAccessMode.STRICT;
    validateOneOf(this, 'endpointAccessMode', mode, Object.values(apigw.EndpointAccessMode));
    if (mode === apigw.EndpointAccessMode.BASIC) {
      Annotations.of(this).addWarningV2('secure-api:domain-basic-access-mode', `The domain ${this.domainName} uses endpoint access mode BASIC, which skips the check that requests come through this endpoint type with a matching SNI host: use it only while migrating clients, then switch to STRICT (the default).`);
    }
    return mode;
  }

  private validateHostedZone(props: ApiDomainProps): void {
    const zoneName = props.hostedZone?.zoneName;
    if (zoneName === undefined || Token.isUnresolved(zoneName) || Token.isUnresolved(props.domainName)) {
      return;
    }
    const zone = zoneName.replace(/\.$/, '').toLowerCase();
    if (props.domainName !== zone && !props.domainName.endsWith(`.${zone}`)) {
      throw new ValidationError(`\`domainName\` ${describe(props.domainName)} is not in \`hostedZone\` ${describe(zoneName)}: give the zone that holds the domain`, this);
    }
  }

  private certificateFor(props: ApiDomainProps): acm.ICertificate {
    if (props.certificate) {
      this.validateCertificateRegion(props.certificate);
      return props.certificate;
    }
    if (!props.hostedZone) {
      throw new ValidationError('`certificate` or `hostedZone` must be given: give a certificate of the domain in this region, or the hosted zone to request and validate one in', this);
    }
    return new acm.Certificate(this, 'Certificate', {
      domainName: props.domainName,
      validation: acm.CertificateValidation.fromDns(props.hostedZone),
    });
  }

  private validateCertificateRegion(certificate: acm.ICertificate): void {
    const arn = certificate.certificateArn;
    const region = Stack.of(this).region;
    if (Token.isUnresolved(arn) || Token.isUnresolved(region)) {
      return;
    }
    const certificateRegion = Arn.split(arn, ArnFormat.SLASH_RESOURCE_NAME).region;
    if (certificateRegion !== region) {
      throw new ValidationError(`\`certificate\` must be in the API's region ${region}, got ${describe(arn)} in ${certificateRegion}: a REGIONAL domain needs a certificate of its own region (only an EDGE domain takes one in us-east-1); request or import one in ${region}`, this);
    }
  }

  private validateBasePath(basePath: string, api: ISecureRestApi): void {
    if (typeof basePath !== 'string') {
      throw new ValidationError(`\`basePath\` must be a string, got ${describe(basePath)}: use 'v1', 'v1/pets', or '' for the root`, this);
    }
    if (Token.isUnresolved(basePath)) {
      return;
    }
    const segments = basePath.split('/');
    if (basePath !== '' && (basePath.startsWith('/') || basePath.endsWith('/') || segments.some((segment) => !BASE_PATH_SEGMENT.test(segment)))) {
      throw new ValidationError(`\`basePath\` must be segments of letters, digits, '.', '_' and '-' joined by single '/', with no '/' first or last, got ${describe(basePath)}: write it as 'v1' or 'v1/pets', or '' to map the domain's root`, this);
    }
    const existing = this.basePaths.get(basePath);
    if (existing) {
      const where = basePath === '' ? 'the root (\'\')' : describe(basePath);
      throw new ValidationError(`\`basePath\` ${where} is already mapped to ${existing.node.path}, so it cannot map ${api.node.path} too: give each version its own base path`, this);
    }
    // "Only one base path mapping is allowed if the base path is empty" (API Gateway).
    const others = [...this.basePaths.keys()];
    if ((basePath === '' && others.length > 0) || others.includes('')) {
      const [root, other] = basePath === '' ? ['', others[0]] : ['', basePath];
      const rootApi = basePath === '' ? api : this.basePaths.get(root)!;
      throw new ValidationError(`\`basePath\` ${describe(other)} and the root ('') cannot both be mapped (the root maps ${rootApi.node.path}): API Gateway allows no other mapping on a domain whose root is mapped; give every version a base path such as 'v1'`, this);
    }

  }
}

/**
 * The security policy of a domain whose props give none. API Gateway negotiates TLS for a mapped API
 * with the API's own policy, so the domain states the policy of the APIs it maps (a
 * `SecureRestApi`'s default: TLS 1.3, and 1.2 with forward secrecy); TLS 1.3 only without them.
 * Mutual TLS works only with the legacy TLS_1_2 policy.
 */
function defaultSecurityPolicy(props: ApiDomainProps): apigw.SecurityPolicy {
  if (props.mutualTls) {
    return apigw.SecurityPolicy.TLS_1_2;
  }
  const policies = new Set((props.versions ?? []).map((version) => SecureRestApi.isSecureRestApi(version?.api) ? version.api.tlsSecurityPolicy : undefined));
  const [only] = policies;
  return policies.size === 1 && only !== undefined && !Token.isUnresolved(only) ? only : apigw.SecurityPolicy.TLS13_1_3_2025_09;
}

/** The name of a security policy in aws-cdk-lib's `SecurityPolicy` enum, for messages. */
function policyName(policy: apigw.SecurityPolicy): string {
  return Object.entries(apigw.SecurityPolicy).find(([, value]) => value === policy)?.[0] ?? policy;
}
