import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { Annotations as CoreAnnotations, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { IConstruct } from 'constructs';
import {
  LambdaRouteIntegration,
  RouteAuthorization,
  RouteAuthorizationConfig,
  SecureRestApi,
  SecureRestApiProps,
} from '../../../lib';
import { ValidationError } from '../../../lib/private/validation-error';
import { TierApiKeyOptions, UsageQuota, UsageTierOptions, UsageTiers, UsageTiersProps } from '../../../lib/traffic/usage-tiers';
import { foreignInstance } from '../../helpers/brands';
import { errorOf } from '../../helpers/errors';
import { inlineFunction, logicalId, newStack } from '../../helpers/stack';
import { skipTemplateValidatorInThisFile } from '../../helpers/template-validator';

// Many variations of one configuration: the rule engine checks each construct in test/lib/template-validation.test.ts.
skipTemplateValidatorInThisFile();

const FREE: UsageTierOptions = { name: 'free', throttle: { rateLimit: 10, burstLimit: 20 }, quota: UsageQuota.perDay(1_000) };
const PRO: UsageTierOptions = { name: 'pro', throttle: { rateLimit: 50, burstLimit: 100 }, quota: UsageQuota.perMonth(1_000_000) };

/**
 * An API with a public route, two API-key routes and an IAM route that also requires a key (API
 * Gateway refuses an API without methods).
 */
function buildApi(props: SecureRestApiProps = {}) {
  const stack = newStack();
  const api = new SecureRestApi(stack, 'Api', props);
  const integration = new LambdaRouteIntegration(inlineFunction(stack));
  api.addRoute('GET /health', { authorization: RouteAuthorization.publicAccess('health check'), integration });
  api.addRoute('GET /pets', { authorization: RouteAuthorization.apiKey(), integration });
  api.addRoute('GET /pets/{petId}', { authorization: RouteAuthorization.apiKey(), integration });
  api.addRoute('DELETE /pets/{petId}', { authorization: RouteAuthorization.iam(), integration, apiKeyRequired: true });
  return { stack, api, integration };
}

/** The API of {@link buildApi} with tiers. */
function build(props: Omit<UsageTiersProps, 'api'> = {}, apiProps: SecureRestApiProps = {}) {
  const built = buildApi(apiProps);
  const tiers = new UsageTiers(built.stack, 'Tiers', { api: built.api, ...props });
  return { ...built, tiers };
}

const validationErrorOf = (fn: () => unknown) => errorOf(ValidationError, fn);

describe('UsageTiers defaults: one tier, one key', () => {
  const { stack, api, tiers } = build({ tiers: [FREE], apiKeys: { PartnerAcme: { tier: 'free' } } });
  const template = Template.fromStack(stack);

  test('the tier is a usage plan on the API\'s stage with the tier\'s throttle and quota', () => {
    template.resourceCountIs('AWS::ApiGateway::UsagePlan', 1);
    template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      UsagePlanName: `${api.api.restApiName}-free`,
      Description: `Usage tier 'free' of ${api.api.restApiName}`,
      Throttle: { RateLimit: 10, BurstLimit: 20 },
      Quota: { Limit: 1000, Period: 'DAY' },
      ApiStages: [{ ApiId: { Ref: logicalId(stack, api.api) }, Stage: { Ref: logicalId(stack, api.stage) } }],
    });
  });

  test('the key is enabled and has no value: API Gateway generates it', () => {
    template.resourceCountIs('AWS::ApiGateway::ApiKey', 1);
    template.hasResourceProperties('AWS::ApiGateway::ApiKey', {
      Enabled: true,
      Value: Match.absent(),
      GenerateDistinctId: Match.absent(),
      StageKeys: Match.absent(),
    });
  });

  test('the key joins exactly its tier\'s plan', () => {
    template.resourceCountIs('AWS::ApiGateway::UsagePlanKey', 1);
    template.hasResourceProperties('AWS::ApiGateway::UsagePlanKey', {
      KeyId: { Ref: logicalId(stack, tiers.apiKeys[0]) },
      KeyType: 'API_KEY',
      UsagePlanId: { Ref: logicalId(stack, tiers.tier('free')) },
    });
  });

  test('no output mentions a key: the only output is the API\'s endpoint', () => {
    const keyIds = Object.keys(template.findResources('AWS::ApiGateway::ApiKey'));
    const outputs = template.toJSON().Outputs ?? {};
    for (const output of Object.values(outputs)) {
      for (const keyId of keyIds) {
        expect(JSON.stringify(output)).not.toContain(keyId);
      }
    }
    expect(Object.keys(outputs)).toEqual([expect.stringMatching(/^ApiEndpoint/)]);
  });

  test('the access log records the key\'s id, never its value', () => {
    const stage = Object.values(template.findResources('AWS::ApiGateway::Stage'))[0];
    const format: string = stage.Properties.AccessLogSetting.Format;
    expect(format).toContain('"$context.identity.apiKeyId"');
    expect(format).not.toContain('"$context.identity.apiKey"');
    expect(format).not.toMatch(/\$context\.identity\.apiKey(?!Id)/);
  });

  test('a complete configuration has no warnings from the tiers', () => {
    expect(tierWarnings(stack)).toEqual([]);
  });

  test('exposes the plans, the keys, the tier names and the API', () => {
    expect(tiers.usagePlans).toHaveLength(1);
    expect(tiers.usagePlans[0]).toBeInstanceOf(apigw.UsagePlan);
    expect(tiers.tier('free')).toBe(tiers.usagePlans[0]);
    expect(tiers.apiKeys).toHaveLength(1);
    expect(tiers.apiKeys[0]).toBeInstanceOf(apigw.ApiKey);
    expect(tiers.tierNames).toEqual(['free']);
    expect(tiers.api).toBe(api);
  });

  test('the tiers\' resources match the reviewed snapshot', () => {
    expect({
      ...template.findResources('AWS::ApiGateway::UsagePlan'),
      ...template.findResources('AWS::ApiGateway::ApiKey'),
      ...template.findResources('AWS::ApiGateway::UsagePlanKey'),
    }).toMatchSnapshot();
  });
});

describe('tiers', () => {
  test('each tier is its own plan, and each key is linked to exactly its tier', () => {
    const { stack, tiers } = build({
      tiers: [FREE, PRO],
      apiKeys: { Hobbyist: { tier: 'free' }, Acme: { tier: 'pro' }, Globex: { tier: 'pro' } },
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ApiGateway::UsagePlan', 2);
    template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      Throttle: { RateLimit: 50, BurstLimit: 100 },
      Quota: { Limit: 1000000, Period: 'MONTH' },
    });
    const links = Object.values(template.findResources('AWS::ApiGateway::UsagePlanKey'))
      .map((resource) => [resource.Properties.KeyId.Ref, resource.Properties.UsagePlanId.Ref]);
    const free = logicalId(stack, tiers.tier('free'));
    const pro = logicalId(stack, tiers.tier('pro'));
    const [hobbyist, acme, globex] = tiers.apiKeys.map((key) => logicalId(stack, key));
    expect(links).toHaveLength(3);
    expect(links).toEqual(expect.arrayContaining([[hobbyist, free], [acme, pro], [globex, pro]]));
  });

  test.each([
    ['per week, with an offset', UsageQuota.perWeek(5_000, { offset: 1 }), { Limit: 5000, Period: 'WEEK', Offset: 1 }],
    ['per month, with the largest offset', UsageQuota.perMonth(100_000, { offset: 27 }), { Limit: 100000, Period: 'MONTH', Offset: 27 }],
    ['per day, at the largest limit', UsageQuota.perDay(2_147_483_647), { Limit: 2147483647, Period: 'DAY', Offset: Match.absent() }],
  ])('a quota %s', (_name, quota, rendered) => {
    const { stack } = build({ tiers: [{ ...FREE, quota }], apiKeys: { A: { tier: 'free' } } });
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::UsagePlan', { Quota: rendered });
  });

  test('an unlimited tier has no quota, and its description records why', () => {
    const { stack, api } = build({
      tiers: [{ name: 'internal', throttle: { rateLimit: 5, burstLimit: 5 }, quota: UsageQuota.unlimited('batch jobs, bounded by their throttle') }],
      apiKeys: { Batch: { tier: 'internal' } },
    });
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      Quota: Match.absent(),
      Throttle: { RateLimit: 5, BurstLimit: 5 },
      Description: `Usage tier 'internal' of ${api.api.restApiName}, without a quota: batch jobs, bounded by their throttle`,
    });
  });

  test('a description of its own', () => {
    const { stack } = build({ tiers: [{ ...FREE, description: 'Hobbyists' }], apiKeys: { A: { tier: 'free' } } });
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::UsagePlan', { Description: 'Hobbyists' });
  });

  test('per-route throttles become the plan\'s per-method throttles on the stage', () => {
    const { stack, api } = build({
      tiers: [{ ...PRO, methodThrottles: { 'GET /pets/{petId}': { rateLimit: 20, burstLimit: 40 }, 'GET /pets': { rateLimit: 1, burstLimit: 2 } } }],
      apiKeys: { Acme: { tier: 'pro' } },
    });
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      ApiStages: [{
        ApiId: { Ref: logicalId(stack, api.api) },
        Stage: { Ref: logicalId(stack, api.stage) },
        Throttle: {
          '/pets/{petId}/GET': { RateLimit: 20, BurstLimit: 40 },
          '/pets/GET': { RateLimit: 1, BurstLimit: 2 },
        },
      }],
    });
  });

  test('tiers and keys can be added after construction, and the tier() lookup finds them', () => {
    const { stack, tiers } = build();
    const plan = tiers.addTier(PRO);
    const key = tiers.addApiKey('Acme', { tier: 'pro', apiKeyName: 'acme-corp', description: 'Acme Corp, contract 42' });
    const suspended = tiers.addApiKey('Initech', { tier: 'pro', enabled: false });
    expect(tiers.tier('pro')).toBe(plan);
    expect(tiers.apiKeys).toEqual([key, suspended]);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGateway::ApiKey', { Name: 'acme-corp', Description: 'Acme Corp, contract 42', Enabled: true, Value: Match.absent() });
    template.hasResourceProperties('AWS::ApiGateway::ApiKey', { Enabled: false, Value: Match.absent() });
    template.resourceCountIs('AWS::ApiGateway::UsagePlanKey', 2);
  });

  test('construct ids: tiers by name, keys by the id given, so renaming either replaces it', () => {
    const { tiers } = build({ tiers: [FREE], apiKeys: { PartnerAcme: { tier: 'free' } } });
    expect(tiers.tier('free').node.path).toBe('TestStack/Tiers/Tier-free');
    expect(tiers.apiKeys[0].node.path).toBe('TestStack/Tiers/PartnerAcme');
  });
});

describe('API keys with an authorizer on the same route', () => {
  test('IAM and an API key: the method needs both, and the tier can throttle it', () => {
    const { stack, api } = build({
      tiers: [{ ...PRO, methodThrottles: { 'DELETE /pets/{petId}': { rateLimit: 1, burstLimit: 1 } } }],
      apiKeys: { Acme: { tier: 'pro' } },
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'DELETE', AuthorizationType: 'AWS_IAM', ApiKeyRequired: true });
    template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      ApiStages: [Match.objectLike({ Throttle: { '/pets/{petId}/DELETE': { RateLimit: 1, BurstLimit: 1 } } })],
    });
    expect(api.accessMatrix).toContainEqual({ routeKey: 'DELETE /pets/{petId}', authorization: 'IAM', apiKeyRequired: true });
  });

  test('a Cognito user pool authorizer and an API key on one route', () => {
    const { stack, api, integration } = buildApi();
    const pool = new cognito.UserPool(stack, 'Users');
    api.addRoute('GET /me', { authorization: new CognitoAuthorization(pool), integration, apiKeyRequired: true });
    new UsageTiers(stack, 'Tiers', {
      api,
      tiers: [{ ...PRO, methodThrottles: { 'GET /me': { rateLimit: 2, burstLimit: 4 } } }],
      apiKeys: { MobileApp: { tier: 'pro' } },
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'GET',
      AuthorizationType: 'COGNITO_USER_POOLS',
      AuthorizerId: { Ref: Match.stringLikeRegexp('^ApiUsersAuthorizer') },
      ApiKeyRequired: true,
    });
    template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      ApiStages: [Match.objectLike({ Throttle: { '/me/GET': { RateLimit: 2, BurstLimit: 4 } } })],
    });
  });
});

describe('synth-time warnings', () => {
  test('a tier without an enabled key: nobody can use it', () => {
    const { stack } = build({ tiers: [FREE, PRO], apiKeys: { Acme: { tier: 'pro' }, Suspended: { tier: 'free', enabled: false } } });
    expect(tierWarnings(stack)).toEqual([{
      path: '/TestStack/Tiers/Tier-free',
      message: "Tier 'free' has no enabled API key, so no client can use it: add one with addApiKey(id, { tier: 'free' }). If keys are issued outside CDK (a developer portal), acknowledge this warning. [ack: secure-api:tier-without-api-keys]",
    }]);
  });

  test('API-key routes but no key at all: every call is refused', () => {
    const { stack } = build({ tiers: [FREE] });
    expect(tierWarnings(stack)).toContainEqual({
      path: '/TestStack/Tiers',
      message: 'GET /pets, GET /pets/{petId}, DELETE /pets/{petId} require an API key, but no tier has an enabled key, so API Gateway answers every call to them with 403: add a key with addApiKey(). If keys are issued outside CDK (a developer portal), acknowledge this warning. [ack: secure-api:api-key-routes-without-api-keys]',
    });
  });

  test('keys issued outside CDK: acknowledging the warnings silences them', () => {
    const { stack, tiers } = build({ tiers: [FREE] });
    CoreAnnotations.of(tiers).acknowledgeWarning('secure-api:tier-without-api-keys', 'keys come from the developer portal');
    CoreAnnotations.of(tiers).acknowledgeWarning('secure-api:api-key-routes-without-api-keys', 'keys come from the developer portal');
    expect(tierWarnings(stack)).toEqual([]);
  });

  test('tiers on an API without API-key routes apply to no request', () => {
    const stack = newStack();
    const api = new SecureRestApi(stack, 'Api');
    api.addRoute('GET /pets', { authorization: RouteAuthorization.iam(), integration: new LambdaRouteIntegration(inlineFunction(stack)) });
    new UsageTiers(stack, 'Tiers', { api, tiers: [FREE], apiKeys: { A: { tier: 'free' } } });
    expect(tierWarnings(stack)).toEqual([{
      path: '/TestStack/Tiers',
      message: "No route of the API requires an API key, so API Gateway never reads one and the tiers' throttles and quotas apply to no request: add `apiKeyRequired: true` (or RouteAuthorization.apiKey()) to the routes the tiers should meter. [ack: secure-api:tiers-without-api-key-routes]",
    }]);
  });

  test('a tier throttle above the stage\'s never takes effect', () => {
    const { stack } = build({
      tiers: [{ ...PRO, throttle: { rateLimit: 150, burstLimit: 200 } }],
      apiKeys: { Acme: { tier: 'pro' } },
    }, { throttle: { rateLimit: 100, burstLimit: 200 } });
    expect(tierWarnings(stack)).toEqual([{
      path: '/TestStack/Tiers/Tier-pro',
      message: "`tiers[0].throttle.rateLimit` is 150, above the 100 of the stage: the stage throttles all clients together first, so the tier can never use more than 100. Lower the tier's limit, or raise the API's `throttle` (or the route's). [ack: secure-api:tier-throttle-above-stage]",
    }]);
  });

  test('a per-route throttle is compared with the route\'s own stage throttle, or that of an ANY route on its path', () => {
    const { stack, api, integration } = buildApi();
    api.addRoute('GET /orders', { authorization: RouteAuthorization.apiKey(), integration, throttle: { rateLimit: 5, burstLimit: 5 } });
    api.addRoute('ANY /stock', { authorization: RouteAuthorization.apiKey(), integration, throttle: { rateLimit: 3, burstLimit: 30 }, requestBodySchema: { type: apigw.JsonSchemaType.OBJECT } });
    api.addRoute('GET /stock', { authorization: RouteAuthorization.apiKey(), integration });
    new UsageTiers(stack, 'Tiers', {
      api,
      tiers: [{
        ...PRO,
        methodThrottles: {
          'GET /orders': { rateLimit: 6, burstLimit: 5 },
          'GET /stock': { rateLimit: 4, burstLimit: 30 },
          'GET /pets': { rateLimit: 100, burstLimit: 201 },
        },
      }],
      apiKeys: { Acme: { tier: 'pro' } },
    });
    expect(tierWarnings(stack).map((w) => w.message.replace(/: the stage throttles.*$/, ''))).toEqual([
      "`tiers[0].methodThrottles['GET /orders'].rateLimit` is 6, above the 5 of the stage for GET /orders",
      "`tiers[0].methodThrottles['GET /stock'].rateLimit` is 4, above the 3 of the stage for GET /stock",
      "`tiers[0].methodThrottles['GET /pets'].burstLimit` is 201, above the 200 of the stage for GET /pets",
    ]);
  });

  test('limits equal to the stage\'s are fine', () => {
    const { stack } = build({
      tiers: [{ ...FREE, throttle: { rateLimit: 100, burstLimit: 200 }, methodThrottles: { 'GET /pets': { rateLimit: 100, burstLimit: 200 } } }],
      apiKeys: { A: { tier: 'free' } },
    });
    expect(tierWarnings(stack)).toEqual([]);
  });
});

describe('UsageQuota.isUsageQuota', () => {
  test.each([
    ['perDay()', UsageQuota.perDay(10)],
    ['perWeek()', UsageQuota.perWeek(10)],
    ['perMonth()', UsageQuota.perMonth(10)],
    ['unlimited()', UsageQuota.unlimited('internal jobs')],
    ['a quota of another copy of the library', foreignInstance('UsageQuota', { limit: 10, period: apigw.Period.DAY })],
  ])('is true for %s', (_name, value) => {
    expect(UsageQuota.isUsageQuota(value)).toBe(true);
  });

  test.each([
    ['quota settings', { limit: 10, period: apigw.Period.DAY }],
    ['a number', 10],
    ['undefined', undefined],
    ['null', null],
  ])('is false for %s', (_name, value) => {
    expect(UsageQuota.isUsageQuota(value)).toBe(false);
  });
});

describe('validation errors', () => {
  test.each<[string, Partial<UsageTierOptions>, string]>([
    ['a blank name', { name: ' ' }, "`tiers[0].name` must not be empty, got ' ': give the tier a name such as 'free'"],
    ['a missing name', { name: undefined }, "`tiers[0].name` is missing: give the tier a name such as 'free'"],
    ['a name with a space', { name: 'free tier' }, "`tiers[0].name` must be 1 to 64 letters, digits, '-' or '_', got 'free tier': use a name such as 'free' or 'partner-gold'"],
    ['a name too long', { name: 'a'.repeat(65) }, '`tiers[0].name` must be 1 to 64 letters'],
    ['a missing throttle', { throttle: undefined }, '`tiers[0].throttle` is missing: a tier states its limits, such as { rateLimit: 10, burstLimit: 20 }'],
    ['a negative rate', { throttle: { rateLimit: -1, burstLimit: 10 } }, '`tiers[0].throttle.rateLimit` must be a whole number >= 0, got -1'],
    ['a fractional burst', { throttle: { rateLimit: 1, burstLimit: 2.5 } }, '`tiers[0].throttle.burstLimit` must be a whole number >= 0, got 2.5'],
    ['a burst without a rate', { throttle: { burstLimit: 10 } }, '`tiers[0].throttle.burstLimit` needs `tiers[0].throttle.rateLimit`'],
    ['a rate without a burst', { throttle: { rateLimit: 10 } }, '`tiers[0].throttle.burstLimit` is missing: a tier states both its rate and its burst, such as { rateLimit: 10, burstLimit: 20 }'],
    ['an empty throttle', { throttle: {} }, '`tiers[0].throttle.rateLimit` is missing: a tier states both its rate and its burst'],
    ['a missing quota', { quota: undefined }, "`tiers[0].quota` is missing: a tier states its quota, such as UsageQuota.perDay(10_000), or UsageQuota.unlimited('<reason>') for none"],
    ['a quota that is not a UsageQuota', { quota: { limit: 10, period: apigw.Period.DAY } as never }, '`tiers[0].quota` is missing: a tier states its quota'],
    ['a zero quota', { quota: UsageQuota.perDay(0) }, '`tiers[0].quota.limit` must be a whole number between 1 and 2147483647, got 0'],
    ['a quota above the 32-bit limit', { quota: UsageQuota.perMonth(2_147_483_648) }, '`tiers[0].quota.limit` must be a whole number between 1 and 2147483647, got 2147483648'],
    ['a fractional quota', { quota: UsageQuota.perWeek(10.5) }, '`tiers[0].quota.limit` must be a whole number between 1 and 2147483647, got 10.5'],
    ['a weekly offset past Saturday', { quota: UsageQuota.perWeek(100, { offset: 7 }) }, "`tiers[0].quota.offset` must be a whole number between 0 and 6 for a WEEK quota, got 7: it is the day the period starts on, counted from the period's first day"],
    ['a monthly offset past the 28th', { quota: UsageQuota.perMonth(100, { offset: 28 }) }, '`tiers[0].quota.offset` must be a whole number between 0 and 27 for a MONTH quota, got 28'],
    ['a negative offset', { quota: UsageQuota.perMonth(100, { offset: -1 }) }, '`tiers[0].quota.offset` must be a whole number between 0 and 27 for a MONTH quota, got -1'],
    ['a fractional offset', { quota: UsageQuota.perWeek(100, { offset: 1.5 }) }, '`tiers[0].quota.offset` must be a whole number between 0 and 6 for a WEEK quota, got 1.5'],
    ['an unlimited quota without a reason', { quota: UsageQuota.unlimited('') }, "`UsageQuota.unlimited(reason)` of `tiers[0].quota` must not be empty, got '': say why the tier needs no quota"],
  ])('rejects %s', (_name, override, message) => {
    const { api, stack } = buildApi();
    const error = validationErrorOf(() => new UsageTiers(stack, 'Tiers', { api, tiers: [{ ...FREE, ...override } as UsageTierOptions] }));
    expect(error.message).toContain(message);
  });

  test('rejects a tier name already used, ignoring case, naming both tiers', () => {
    const { api, stack } = buildApi();
    const error = validationErrorOf(() => new UsageTiers(stack, 'Tiers', { api, tiers: [{ ...FREE, name: 'Free' }, PRO, FREE] }));
    expect(error.message).toBe("`tiers[2].name` 'free' is already used by `tiers[0]` ('Free'): tier names are compared ignoring case, so give each tier its own name (at TestStack/Tiers)");
  });

  test('a tier added later is numbered after those of the props', () => {
    const { tiers } = build({ tiers: [FREE, PRO] });
    expect(() => tiers.addTier({ ...FREE, name: 'PRO' })).toThrow("`tiers[2].name` 'PRO' is already used by `tiers[1]` ('pro')");
  });

  describe('per-route throttles', () => {
    const withMethodThrottles = (methodThrottles: Record<string, apigw.ThrottleSettings>) => {
      const { api, stack } = buildApi();
      return validationErrorOf(() => new UsageTiers(stack, 'Tiers', { api, tiers: [FREE, { ...PRO, methodThrottles }] })).message;
    };

    test('rejects a route the API does not have, listing the routes that require a key', () => {
      expect(withMethodThrottles({ 'GET /nope': { rateLimit: 1, burstLimit: 1 } })).toBe(
        "`tiers[1].methodThrottles['GET /nope']` names a route that is not a route of this API: add the route with addRoute() before the tier, or name a route that requires an API key (the routes that require one are 'GET /pets', 'GET /pets/{petId}', 'DELETE /pets/{petId}') (at TestStack/Tiers)",
      );
    });

    test('rejects a malformed route key the same way', () => {
      expect(withMethodThrottles({ 'get /pets': { rateLimit: 1, burstLimit: 1 } })).toContain("`tiers[1].methodThrottles['get /pets']` names a route that is not a route of this API");
    });

    test('rejects a route that does not require an API key: no tier applies there', () => {
      expect(withMethodThrottles({ 'GET /health': { rateLimit: 1, burstLimit: 1 } })).toContain(
        "`tiers[1].methodThrottles['GET /health']` names a route that does not require an API key, so its callers are never matched to a tier and the throttle would never apply: set `apiKeyRequired: true` on the route, or remove the entry",
      );
    });

    test('rejects an invalid throttle, naming the route', () => {
      expect(withMethodThrottles({ 'GET /pets': { rateLimit: 1.5, burstLimit: 1 } })).toContain("`tiers[1].methodThrottles['GET /pets'].rateLimit` must be a whole number >= 0, got 1.5");
      expect(withMethodThrottles({ 'GET /pets': { rateLimit: 1 } })).toContain("`tiers[1].methodThrottles['GET /pets'].burstLimit` is missing");
    });

    test('says when no route requires a key yet', () => {
      const stack = newStack();
      const api = new SecureRestApi(stack, 'Api');
      api.addRoute('GET /health', { authorization: RouteAuthorization.publicAccess('health check'), integration: new LambdaRouteIntegration(inlineFunction(stack)) });
      expect(() => new UsageTiers(stack, 'Tiers', { api, tiers: [{ ...FREE, methodThrottles: { 'GET /pets': { rateLimit: 1, burstLimit: 1 } } }] }))
        .toThrow('(no route requires one yet)');
    });
  });

  describe('API keys', () => {
    test.each<[string, Partial<TierApiKeyOptions> | undefined, string]>([
      ['no tier', {}, "`apiKeys['Acme'].tier` is missing: every API key belongs to exactly one tier; name one of the tiers 'free', 'pro' (at TestStack/Tiers)"],
      ['no options at all', undefined, "`apiKeys['Acme'].tier` is missing: every API key belongs to exactly one tier"],
      ['a blank tier', { tier: '' }, "`apiKeys['Acme'].tier` must not be empty, got ''"],
      ['an unknown tier', { tier: 'gold' }, "`apiKeys['Acme'].tier` names the tier 'gold', which does not exist: use one of the tiers 'free', 'pro' (at TestStack/Tiers)"],
      ['a tier that differs in case', { tier: 'Free' }, "`apiKeys['Acme'].tier` names the tier 'Free', which does not exist: use one of the tiers 'free', 'pro'"],
    ])('rejects a key with %s, listing the tiers', (_name, options, message) => {
      const { api, stack } = buildApi();
      const error = validationErrorOf(() => new UsageTiers(stack, 'Tiers', { api, tiers: [FREE, PRO], apiKeys: { Acme: options as TierApiKeyOptions } }));
      expect(error.message).toContain(message);
    });

    test('rejects a key before any tier exists, saying how to add one', () => {
      const { tiers } = build();
      expect(() => tiers.addApiKey('Acme', { tier: 'free' })).toThrow(
        "`apiKeys['Acme'].tier` names the tier 'free', which does not exist: use one of the tiers (there are none yet: add one first with `tiers` or addTier({ name: 'free', ... }))",
      );
    });

    test('rejects a key value: it would be written into the template', () => {
      const { tiers } = build({ tiers: [FREE] });
      expect(() => tiers.addApiKey('Acme', { tier: 'free', value: 'a-value-that-would-leak-0123456789' } as TierApiKeyOptions)).toThrow(
        "`apiKeys['Acme'].value` is not accepted: a value given here would be written into the template. Leave it out; API Gateway generates the value, which you can read with `aws apigateway get-api-key --api-key <key id> --include-value`",
      );
    });
  });

  test('tier() names the tiers when the name is unknown', () => {
    const { tiers } = build({ tiers: [FREE] });
    expect(() => tiers.tier('gold')).toThrow("`tier(name)` names the tier 'gold', which does not exist: use one of the tiers 'free'");
  });

  test('rejects an API that is not a SecureRestApi', () => {
    const stack = newStack();
    const restApi = new apigw.RestApi(stack, 'Plain');
    expect(() => new UsageTiers(stack, 'Tiers', { api: restApi as never })).toThrow("`api` must be a SecureRestApi, got the construct at 'TestStack/Plain': pass the API whose stage the tiers meter (at TestStack/Tiers)");
    expect(() => new UsageTiers(stack, 'Tiers2', {} as UsageTiersProps)).toThrow('`api` must be a SecureRestApi, got undefined');
  });

  test('skips unresolved tokens in limits, as the stage does', () => {
    const { api, stack } = buildApi();
    const rateLimit = Token.asNumber(Lazy.number({ produce: () => 10 }));
    const limit = Token.asNumber(Lazy.number({ produce: () => 1000 }));
    const offset = Token.asNumber(Lazy.number({ produce: () => 2 }));
    expect(() => new UsageTiers(stack, 'Tiers', {
      api,
      tiers: [{ ...FREE, throttle: { rateLimit, burstLimit: 20 }, quota: UsageQuota.perWeek(limit, { offset }) }],
      apiKeys: { A: { tier: 'free' } },
    })).not.toThrow();
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      Throttle: { RateLimit: 10, BurstLimit: 20 },
      Quota: { Limit: 1000, Period: 'WEEK', Offset: 2 },
    });
  });
});

/** A route authorization by a Cognito user pool, standing in for the library's own to come. */
class CognitoAuthorization extends RouteAuthorization {
  public readonly description = 'Cognito';

  constructor(private readonly pool: cognito.IUserPool) {
    super();
  }

  public bind(scope: IConstruct): RouteAuthorizationConfig {
    const id = 'UsersAuthorizer';
    const authorizer = (scope.node.tryFindChild(id) as apigw.IAuthorizer | undefined)
      ?? new apigw.CognitoUserPoolsAuthorizer(scope as SecureRestApi, id, { cognitoUserPools: [this.pool] });
    return { authorizationType: apigw.AuthorizationType.COGNITO, authorizer, apiKeyRequired: false };
  }
}

/** The warnings that `UsageTiers` emits, as path and message. */
function tierWarnings(stack: Stack) {
  const ids = ['tier-without-api-keys', 'api-key-routes-without-api-keys', 'tiers-without-api-key-routes', 'tier-throttle-above-stage'];
  return Annotations.fromStack(stack)
    .findWarning('*', Match.stringLikeRegexp(`\\[ack: secure-api:(${ids.join('|')})\\]`))
    .map((warning) => ({ path: warning.id, message: warning.entry.data as string }));
}

