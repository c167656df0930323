import * as iam from 'aws-cdk-lib/aws-iam';
import { INVOKE_ACTION } from '../../lambda/shared/constants';


/**
 * The condition key that holds the caller's address on a REGIONAL API: the public address API
 * Gateway sees. IAM leaves it out of the request context of a request that comes through a VPC
 * endpoint, so on a PRIVATE API it matches nothing.
 */
export const SOURCE_IP_KEY = 'aws:SourceIp';

/**
 * The condition key that holds the caller's address inside its VPC, present only for a request
 * through a VPC endpoint: the one to use on a PRIVATE API. VPCs may use overlapping ranges, so AWS
 * pairs it with `aws:SourceVpce` or `aws:SourceVpc`; a PRIVATE API's policy always carries
 * `denyUnlessThroughVpcEndpoints`.
 */
export const VPC_SOURCE_IP_KEY = 'aws:VpcSourceIp';

/** Every method of every stage of the API the policy is attached to. */
const EVERY_METHOD = 'execute-api:/*';

/** A statement about invoking any method of the API, for anyone, under `conditions`. */
function invokeStatement(sid: string, effect: iam.Effect, conditions?: Record<string, Record<string, unknown>>): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid,
    effect,
    principals: [new iam.AnyPrincipal()],
    actions: [INVOKE_ACTION],
    resources: [EVERY_METHOD],
    conditions,
  });
}

/**
 * Statements of a REST API's resource policy. Once an API has a resource policy, a request is
 * served only if the policy allows it; the first two statements restore "allowed" for callers of
 * this account, and the others deny by network origin.
 */
export const ResourcePolicyStatements = {
  /**
   * Lets unsigned requests reach the API's methods (public, API-key and token-authorized routes),
   * subject to each method's own authorization. Signed (IAM) requests are deliberately not allowed
   * here: for a caller in the same account, API Gateway serves an IAM route if either the caller's
   * identity policy or the resource policy allows it, so an Allow for signed requests would let every
   * principal of the account call every IAM route. They keep needing `grantInvoke`.
   */
  allowInvoke(): iam.PolicyStatement {
    return invokeStatement('AllowUnsignedInvokeSubjectToMethodAuthorization', iam.Effect.ALLOW, {
      Null: { 'aws:PrincipalAccount': 'true' },
    });
  },

  /**
   * Denies signed requests from principals of other AWS accounts, so no change to this policy can
   * open the IAM routes to another account. Unsigned requests have no principal account and are
   * not affected.
   */
  denyOtherAccounts(account: string): iam.PolicyStatement {
    return invokeStatement('DenyPrincipalsOfOtherAccounts', iam.Effect.DENY, {
      StringNotEquals: { 'aws:PrincipalAccount': account },
      Null: { 'aws:PrincipalAccount': 'false' },
    });
  },

  /**
   * Denies every request whose address under `addressKey` is outside `cidrs`. A request whose
   * context lacks the key is denied too (a negated condition operator matches a missing key).
   */
  denyUnlessFrom(cidrs: readonly string[], addressKey: string): iam.PolicyStatement {
    return invokeStatement('DenyUnlessFromAllowedSourceCidrs', iam.Effect.DENY, { NotIpAddress: { [addressKey]: [...cidrs] } });
  },

  /** Denies every request whose address under `addressKey` is inside `cidrs`. */
  denyFrom(cidrs: readonly string[], addressKey: string): iam.PolicyStatement {
    return invokeStatement('DenyFromDeniedSourceCidrs', iam.Effect.DENY, { IpAddress: { [addressKey]: [...cidrs] } });
  },

  /** Denies every request that does not come through one of `vpcEndpointIds`. */
  denyUnlessThroughVpcEndpoints(vpcEndpointIds: readonly string[]): iam.PolicyStatement {
    return invokeStatement('DenyUnlessThroughAllowedVpcEndpoints', iam.Effect.DENY, { StringNotEquals: { 'aws:SourceVpce': [...vpcEndpointIds] } });
  },
};
