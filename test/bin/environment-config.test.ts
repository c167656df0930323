import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import {
  ENVIRONMENTS_CONTEXT_KEY,
  ENVIRONMENT_SELECTOR_CONTEXT_KEY,
  EnvironmentConfig,
  EnvironmentConfigError,
  parseEnvironmentConfig,
  parseEnvironmentConfigs,
  selectEnvironments,
} from '../../bin/environment-config';
import { FirewallMode } from 'secure-api-gateway';

/** A valid dev environment's settings, as they appear in cdk.json. */
function devSettings(): Record<string, unknown> {
  return {
    profile: 'dev',
    account: '111111111111',
    region: 'eu-west-1',
    stageName: 'v1',
    throttle: { rateLimit: 50, burstLimit: 100 },
    logRetentionDays: 14,
    removalPolicy: 'destroy',
    createAccountLoggingRole: true,
  };
}

/** A valid prod environment's settings. */
function prodSettings(): Record<string, unknown> {
  return {
    ...devSettings(),
    profile: 'prod',
    account: '333333333333',
    throttle: { rateLimit: 500, burstLimit: 1000 },
    logRetentionDays: 365,
    removalPolicy: 'retain',
    createAccountLoggingRole: false,
  };
}

/** Parses the dev settings with `change` applied, and returns the error it throws. */
function errorFor(change: (settings: Record<string, unknown>) => void, name = 'dev'): EnvironmentConfigError {
  const settings = devSettings();
  change(settings);
  try {
    parseEnvironmentConfig(name, settings);
  } catch (error) {
    expect(error).toBeInstanceOf(EnvironmentConfigError);
    return error as EnvironmentConfigError;
  }
  throw new Error('expected an EnvironmentConfigError, but nothing was thrown');
}

describe('context keys', () => {
  test('are secure-api:environments and env', () => {
    expect(ENVIRONMENTS_CONTEXT_KEY).toBe('secure-api:environments');
    expect(ENVIRONMENT_SELECTOR_CONTEXT_KEY).toBe('env');
  });
});

describe('parseEnvironmentConfig', () => {
  describe('a valid environment', () => {
    test('parses to the right values', () => {
      expect(parseEnvironmentConfig('dev', devSettings())).toEqual<EnvironmentConfig>({
        name: 'dev',
        profile: 'dev',
        account: '111111111111',
        region: 'eu-west-1',
        regions: ['eu-west-1'],
        routing: 'failover',
        corsOrigins: [],
        stageName: 'v1',
        throttle: { rateLimit: 50, burstLimit: 100 },
        logRetention: logs.RetentionDays.TWO_WEEKS,
        removalPolicy: RemovalPolicy.DESTROY,
        createAccountLoggingRole: true,
        cognitoThreatProtection: false,
        alarmEmails: [],
        firewallMode: FirewallMode.BLOCK,
        abuseBlocking: { threshold: 20, blockPeriod: Duration.minutes(60) },
      });
    });

    test('firewallMode is optional, blocking when left out, and "count" counts', () => {
      expect(parseEnvironmentConfig('dev', { ...devSettings(), firewallMode: 'count' }).firewallMode).toBe(FirewallMode.COUNT);
      expect(parseEnvironmentConfig('dev', { ...devSettings(), firewallMode: 'block' }).firewallMode).toBe(FirewallMode.BLOCK);
    });

    test('abuseBlocking is optional, 20 offences for 60 minutes when left out, and taken when given', () => {
      const { abuseBlocking } = parseEnvironmentConfig('dev', { ...devSettings(), abuseBlocking: { threshold: 100, blockMinutes: 15 } });
      expect(abuseBlocking.threshold).toBe(100);
      expect(abuseBlocking.blockPeriod.toMinutes()).toBe(15);
    });

    test('alarmEmails is optional, none when left out, and taken when given', () => {
      expect(parseEnvironmentConfig('dev', { ...devSettings(), alarmEmails: ['oncall@example.com'] }).alarmEmails).toEqual(['oncall@example.com']);
    });

    test('cognitoThreatProtection is optional, false when left out, and taken when given', () => {
      expect(parseEnvironmentConfig('dev', { ...devSettings(), cognitoThreatProtection: true }).cognitoThreatProtection).toBe(true);
    });

    test('maps "retain" to RemovalPolicy.RETAIN and days to the RetentionDays member', () => {
      const config = parseEnvironmentConfig('prod', prodSettings());
      expect(config.removalPolicy).toBe(RemovalPolicy.RETAIN);
      expect(config.logRetention).toBe(logs.RetentionDays.ONE_YEAR);
      expect(config.profile).toBe('prod');
      expect(config.createAccountLoggingRole).toBe(false);
    });

    test('allows "destroy" and "retain" in the dev profile', () => {
      expect(parseEnvironmentConfig('dev', { ...devSettings(), removalPolicy: 'retain' }).removalPolicy).toBe(RemovalPolicy.RETAIN);
    });

    test('defaults stageName to v1', () => {
      const settings = devSettings();
      delete settings.stageName;
      expect(parseEnvironmentConfig('dev', settings).stageName).toBe('v1');
    });

    test.each([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653])(
      'accepts logRetentionDays %i',
      (days) => {
        expect(parseEnvironmentConfig('dev', { ...devSettings(), logRetentionDays: days }).logRetention).toBe(days);
      },
    );

    test.each(['eu-west-1', 'us-east-1', 'ap-southeast-2', 'us-gov-west-1', 'us-iso-east-1', 'us-isob-east-1', 'cn-north-1', 'il-central-1'])(
      'accepts the region %s',
      (region) => {
        expect(parseEnvironmentConfig('dev', { ...devSettings(), region }).region).toBe(region);
      },
    );

    test.each(['a', 'prod-eu', 'Staging2'])('accepts the environment name %s', (name) => {
      expect(parseEnvironmentConfig(name, devSettings()).name).toBe(name);
    });

    test('accepts a 128-character stage name with "-" and "_"', () => {
      const stageName = `a-_${'b'.repeat(125)}`;
      expect(parseEnvironmentConfig('dev', { ...devSettings(), stageName }).stageName).toBe(stageName);
    });

    test('accepts zero throttle limits', () => {
      expect(parseEnvironmentConfig('dev', { ...devSettings(), throttle: { rateLimit: 0, burstLimit: 0 } }).throttle).toEqual({ rateLimit: 0, burstLimit: 0 });
    });
  });

  describe('rejects', () => {
    test.each(['1dev', 'dev_1', 'dev.1', '-dev', ''])('the environment name %p', (name) => {
      expect(() => parseEnvironmentConfig(name, devSettings())).toThrow(
        `environment name ${JSON.stringify(name)} must start with a letter and hold only letters, digits and '-', as it becomes part of the stack name`,
      );
    });

    test.each<[unknown, string]>([
      [undefined, 'nothing'],
      [null, 'null'],
      ['dev', '"dev"'],
      [[], '[]'],
    ])('settings of %p, which are not an object', (raw, shown) => {
      expect(() => parseEnvironmentConfig('dev', raw)).toThrow(`\`secure-api:environments.dev\` must be an object of settings, got ${shown}`);
    });

    test('an unknown setting, listing the known ones', () => {
      expect(errorFor((s) => { s.logRetention = 14; }).message).toBe(
        '`secure-api:environments.dev.logRetention` is not a setting: use one of profile, account, region, regions, routing, domain, corsOrigins, stageName, throttle, logRetentionDays, removalPolicy, createAccountLoggingRole, cognitoThreatProtection, alarmEmails, firewallMode, abuseBlocking',
      );
    });

    test('an unknown throttle setting, listing the known ones', () => {
      expect(errorFor((s) => { s.throttle = { rateLimit: 1, burstLimit: 2, burst: 3 }; }).message).toBe(
        '`secure-api:environments.dev.throttle.burst` is not a setting: use one of rateLimit, burstLimit',
      );
    });

    test.each<[unknown, string]>([
      ['test', '"test"'],
      ['Prod', '"Prod"'],
      [undefined, 'nothing'],
    ])('the profile %p, listing the allowed values', (profile, shown) => {
      expect(errorFor((s) => { s.profile = profile; }).message).toBe(`\`secure-api:environments.dev.profile\` must be one of "dev", "prod", got ${shown}`);
    });

    test.each<[unknown, string]>([
      ['BLOCK', '"BLOCK"'],
      ['off', '"off"'],
      [false, 'false'],
    ])('the firewall mode %p, listing the allowed values', (firewallMode, shown) => {
      expect(errorFor((s) => { s.firewallMode = firewallMode; }).message).toBe(`\`secure-api:environments.dev.firewallMode\` must be one of "block", "count", got ${shown}`);
    });

    test.each<[unknown, string]>([
      [20, '`secure-api:environments.dev.abuseBlocking` must be an object { "threshold": <n>, "blockMinutes": <n> }, got 20'],
      [{ threshold: 0, blockMinutes: 60 }, '`secure-api:environments.dev.abuseBlocking.threshold` must be at least 1, got 0'],
      [{ threshold: 20, blockMinutes: 0 }, '`secure-api:environments.dev.abuseBlocking.blockMinutes` must be at least 1, got 0'],
      [{ threshold: 20 }, '`secure-api:environments.dev.abuseBlocking.blockMinutes` must be a whole number >= 0, got nothing'],
      [{ threshold: 2.5, blockMinutes: 60 }, '`secure-api:environments.dev.abuseBlocking.threshold` must be a whole number >= 0, got 2.5'],
      [{ threshold: 20, blockMinutes: 60, window: 5 }, '`secure-api:environments.dev.abuseBlocking.window` is not a setting: use one of threshold, blockMinutes'],
    ])('abuseBlocking %p', (abuseBlocking, message) => {
      expect(errorFor((s) => { s.abuseBlocking = abuseBlocking; }).message).toBe(message);
    });

    test.each<[unknown, string]>([
      [111111111111, '111111111111'],
      ['11111111111', '"11111111111"'],
      ['1111111111111', '"1111111111111"'],
      ['11111111111a', '"11111111111a"'],
      [undefined, 'nothing'],
    ])('the account %p', (account, shown) => {
      expect(errorFor((s) => { s.account = account; }).message).toBe(
        `\`secure-api:environments.dev.account\` must be a 12-digit AWS account id in quotes, such as "111111111111", got ${shown}`,
      );
    });

    test.each<[unknown, string]>([
      ['EU-WEST-1', '"EU-WEST-1", which is not a region aws-cdk-lib knows'],
      ['eu-west', '"eu-west", which is not a region aws-cdk-lib knows'],
      ['euwest1', '"euwest1", which is not a region aws-cdk-lib knows'],
      ['eu-west-1a', '"eu-west-1a", which is not a region aws-cdk-lib knows'],
      ['eu-middle-9', '"eu-middle-9", which is not a region aws-cdk-lib knows'],
      [1, '1'],
    ])('the region %p', (region, shown) => {
      expect(errorFor((s) => { s.region = region; }).message).toBe(`\`secure-api:environments.dev.region\` must be an AWS region such as "eu-west-1", got ${shown}`);
    });

    test('neither or both of region and regions', () => {
      expect(errorFor((s) => { delete s.region; }).message).toBe('give exactly one of `secure-api:environments.dev.region` (one region, such as "eu-west-1") and `secure-api:environments.dev.regions` (a list, the primary first), got neither');
      expect(errorFor((s) => { s.regions = ['eu-west-1']; }).message).toMatch(/got both$/);
    });

    describe('several regions', () => {
      const domain = {
        name: 'api.example.com',
        hostedZoneId: 'Z0PRODEXAMPLE0000001',
        zoneName: 'example.com',
        certificateArns: {
          'eu-west-1': 'arn:aws:acm:eu-west-1:111111111111:certificate/3a3a3a3a-0000-4000-8000-000000000001',
          'eu-central-1': 'arn:aws:acm:eu-central-1:111111111111:certificate/3a3a3a3a-0000-4000-8000-000000000002',
        },
      };
      const multi = (change: (s: Record<string, unknown>) => void) => errorFor((s) => {
        delete s.region;
        s.regions = ['eu-west-1', 'eu-central-1'];
        s.domain = structuredClone(domain);
        change(s);
      });

      test('parse to the primary first, failover routing and the domain', () => {
        const { region: _, ...settings } = devSettings();
        const config = parseEnvironmentConfig('dev', { ...settings, regions: ['eu-west-1', 'eu-central-1'], domain });
        expect(config).toMatchObject({ region: 'eu-west-1', regions: ['eu-west-1', 'eu-central-1'], routing: 'failover', domain });
      });

      test.each<[string, (s: Record<string, unknown>) => void, string]>([
        ['a region listed twice', (s) => { s.regions = ['eu-west-1', 'eu-west-1']; }, '`secure-api:environments.dev.regions` lists "eu-west-1" twice: list each region once'],
        ['a region that is not an AWS region', (s) => { s.regions = ['eu-west-1', 'eu-middle-9']; }, '`secure-api:environments.dev.regions[1]` must be an AWS region such as "eu-west-1", got "eu-middle-9", which is not a region aws-cdk-lib knows'],
        ['an empty list', (s) => { s.regions = []; }, '`secure-api:environments.dev.regions` must be a list of AWS regions, the primary first, such as ["eu-west-1", "eu-central-1"], got []'],
        ['no domain', (s) => { delete s.domain; }, '`secure-api:environments.dev.regions` lists 2 regions, but `secure-api:environments.dev.domain` is missing: clients reach a multi-region API through one domain name whose DNS records fail over, so add a domain'],
        ['failover over three regions', (s) => { s.regions = ['eu-west-1', 'eu-central-1', 'eu-north-1']; s.domain = { ...domain, certificateArns: { ...domain.certificateArns, 'eu-north-1': 'arn:aws:acm:eu-north-1:111111111111:certificate/3a3a3a3a-0000-4000-8000-000000000003' } }; },
          '`secure-api:environments.dev.routing` "failover" takes exactly two regions (a primary and a secondary), got 3 in `secure-api:environments.dev.regions`: use "latency" for more'],
        ['an unknown routing', (s) => { s.routing = 'random'; }, '`secure-api:environments.dev.routing` must be one of "failover", "latency", got "random"'],
        ['a certificate in another region', (s) => { (s.domain as typeof domain).certificateArns['eu-central-1'] = domain.certificateArns['eu-west-1']; },
          '`secure-api:environments.dev.domain.certificateArns.eu-central-1` is a certificate in eu-west-1, but a regional API in eu-central-1 needs a certificate in its own region: request or import it in eu-central-1'],
        ['a region without a certificate', (s) => { s.domain = { ...domain, certificateArns: { 'eu-west-1': domain.certificateArns['eu-west-1'] } }; },
          '`secure-api:environments.dev.domain.certificateArns` has no certificate for "eu-central-1": each region needs its own certificate covering "api.example.com" and "<region>.api.example.com"'],
        ['a certificate for a region not deployed to', (s) => { (s.domain as { certificateArns: Record<string, string> }).certificateArns['us-east-1'] = 'arn:aws:acm:us-east-1:111111111111:certificate/3a3a3a3a-0000-4000-8000-000000000009'; },
          '`secure-api:environments.dev.domain.certificateArns.us-east-1` is for a region the environment does not deploy to: use one of "eu-west-1", "eu-central-1"'],
        ['a domain name that is not a DNS name', (s) => { s.domain = { ...domain, name: 'api_.example.com' }; }, '`secure-api:environments.dev.domain.name` must be a lowercase DNS name such as "api.example.com", got "api_.example.com"'],
        ['a domain name outside its zone', (s) => { s.domain = { ...domain, name: 'api.example.org' }; }, '`secure-api:environments.dev.domain.name` "api.example.org" is not inside the hosted zone "example.com" of `secure-api:environments.dev.domain.zoneName`: use a name under the zone'],
        ['a bad hosted zone id', (s) => { s.domain = { ...domain, hostedZoneId: 'example.com' }; }, '`secure-api:environments.dev.domain.hostedZoneId` must be a Route 53 hosted zone id such as "Z0123456789ABCDEFGHIJ", got "example.com"'],
      ])('%s', (_, change, message) => {
        expect(multi(change).message).toBe(message);
      });

      test('routing with one region', () => {
        expect(errorFor((s) => { s.routing = 'latency'; }).message).toBe('`secure-api:environments.dev.routing` is set, but the environment has one region: list two or more in `secure-api:environments.dev.regions`, or remove `secure-api:environments.dev.routing`');
      });
    });

    test('CORS origins: plain http only in the dev profile', () => {
      expect(parseEnvironmentConfig('dev', { ...devSettings(), corsOrigins: ['http://localhost:3000'] }).corsOrigins).toEqual(['http://localhost:3000']);
      expect(() => parseEnvironmentConfig('prod', { ...prodSettings(), corsOrigins: ['http://localhost:3000'] })).toThrow(
        '`secure-api:environments.prod.corsOrigins` lists the plain-http origin "http://localhost:3000", which only a dev profile may allow: serve the web app over https');
      expect(errorFor((s) => { s.corsOrigins = ['https://a.example.com', 'https://a.example.com']; }).message).toBe(
        '`secure-api:environments.dev.corsOrigins` must be a list of distinct origins such as ["https://app.example.com"], got ["https://a.example.com","https://a.example.com"]');
    });

    test.each<[unknown, string]>([
      ['', '""'],
      ['v 1', '"v 1"'],
      ['v1.0', '"v1.0"'],
      ['a'.repeat(129), `"${'a'.repeat(129)}"`],
      [1, '1'],
    ])('the stage name %p', (stageName, shown) => {
      expect(errorFor((s) => { s.stageName = stageName; }).message).toBe(
        `\`secure-api:environments.dev.stageName\` must be 1 to 128 letters, digits, '-' or '_', got ${shown}`,
      );
    });

    test.each<[unknown, string]>([
      [undefined, 'nothing'],
      [null, 'null'],
      [100, '100'],
      [[50, 100], '[50,100]'],
    ])('the throttle %p, which is not an object', (throttle, shown) => {
      expect(errorFor((s) => { s.throttle = throttle; }).message).toBe(
        `\`secure-api:environments.dev.throttle\` must be an object { "rateLimit": <n>, "burstLimit": <n> }, got ${shown}`,
      );
    });

    test.each<[unknown, string]>([
      [-1, '-1'],
      [1.5, '1.5'],
      ['50', '"50"'],
      [undefined, 'nothing'],
    ])('the throttle rateLimit %p', (rateLimit, shown) => {
      expect(errorFor((s) => { s.throttle = { rateLimit, burstLimit: 100 }; }).message).toBe(
        `\`secure-api:environments.dev.throttle.rateLimit\` must be a whole number >= 0, got ${shown}`,
      );
    });

    test.each<[unknown, string]>([
      [-5, '-5'],
      [2.5, '2.5'],
      [undefined, 'nothing'],
    ])('the throttle burstLimit %p', (burstLimit, shown) => {
      expect(errorFor((s) => { s.throttle = { rateLimit: 50, burstLimit }; }).message).toBe(
        `\`secure-api:environments.dev.throttle.burstLimit\` must be a whole number >= 0, got ${shown}`,
      );
    });

    test.each<[unknown, string]>([
      [15, '15'],
      [9999, '9999'],
      ['14', '"14"'],
      [undefined, 'nothing'],
    ])('logRetentionDays %p, listing the allowed values and excluding infinite retention', (days, shown) => {
      expect(errorFor((s) => { s.logRetentionDays = days; }).message).toBe(
        `\`secure-api:environments.dev.logRetentionDays\` must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653, got ${shown}`,
      );
    });

    test.each<[unknown, string]>([
      ['snapshot', '"snapshot"'],
      ['RETAIN', '"RETAIN"'],
      [undefined, 'nothing'],
    ])('the removal policy %p, listing the allowed values', (removalPolicy, shown) => {
      expect(errorFor((s) => { s.removalPolicy = removalPolicy; }).message).toBe(
        `\`secure-api:environments.dev.removalPolicy\` must be one of "destroy", "retain", got ${shown}`,
      );
    });

    test('"destroy" in the prod profile', () => {
      expect(() => parseEnvironmentConfig('prod', { ...prodSettings(), removalPolicy: 'destroy' })).toThrow(
        '`secure-api:environments.prod.removalPolicy` must be "retain" in the prod profile, got "destroy": a prod stack keeps its keys and logs',
      );
    });

    test('"destroy" in the prod profile under any environment name', () => {
      expect(() => parseEnvironmentConfig('staging', { ...prodSettings(), removalPolicy: 'destroy' })).toThrow(
        /^`secure-api:environments\.staging\.removalPolicy` must be "retain" in the prod profile/,
      );
    });

    test.each<[unknown, string]>([
      ['true', '"true"'],
      [1, '1'],
      [undefined, 'nothing'],
    ])('createAccountLoggingRole %p, which is not a boolean', (value, shown) => {
      expect(errorFor((s) => { s.createAccountLoggingRole = value; }).message).toBe(
        `\`secure-api:environments.dev.createAccountLoggingRole\` must be true or false, got ${shown}: true if this stack sets the account's API Gateway logging role, false if it is set elsewhere`,
      );
    });

    test.each<[unknown, string]>([
      ['oncall@example.com', '"oncall@example.com"'],
      [['oncall'], '["oncall"]'],
      [[7], '[7]'],
      [['"oncall"@example.com'], '["\\"oncall\\"@example.com"]'],
      [['oncall@example.com', 'oncall@example.com'], '["oncall@example.com","oncall@example.com"]'],
    ])('alarmEmails %p, which is not a list of distinct email addresses', (value, shown) => {
      expect(errorFor((s) => { s.alarmEmails = value; }).message).toBe(
        `\`secure-api:environments.dev.alarmEmails\` must be a list of distinct email addresses such as ["oncall@example.com"], got ${shown}`,
      );
    });

    test('alarmEmails of two different addresses is taken', () => {
      expect(parseEnvironmentConfig('dev', { ...devSettings(), alarmEmails: ['oncall@example.com', 'security@example.com'] }).alarmEmails)
        .toEqual(['oncall@example.com', 'security@example.com']);
    });

    test('cognitoThreatProtection that is not a boolean', () => {
      expect(errorFor((s) => { s.cognitoThreatProtection = 'yes'; }).message).toBe(
        '`secure-api:environments.dev.cognitoThreatProtection` must be true or false, got "yes": true turns on Cognito threat protection, the paid Plus feature plan',
      );
    });

    test('with an error named EnvironmentConfigError', () => {
      const error = errorFor((s) => { s.profile = 'x'; });
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe('EnvironmentConfigError');
    });

    test('the first invalid setting in the order profile, account, region', () => {
      expect(errorFor((s) => { s.profile = 'x'; s.account = 'y'; s.region = 'z'; }).message).toMatch(/\.profile`/);
      expect(errorFor((s) => { s.account = 'y'; s.region = 'z'; }).message).toMatch(/\.account`/);
    });

    test('an unknown setting before any invalid one', () => {
      expect(errorFor((s) => { s.profile = 'x'; s.extra = 1; }).message).toMatch(/^`secure-api:environments\.dev\.extra` is not a setting/);
    });
  });
});

describe('parseEnvironmentConfigs', () => {
  test('parses every environment in order, named by its key', () => {
    const configs = parseEnvironmentConfigs({ dev: devSettings(), prod: prodSettings() });
    expect(configs.map((c) => c.name)).toEqual(['dev', 'prod']);
    expect(configs[1].removalPolicy).toBe(RemovalPolicy.RETAIN);
  });

  test.each<[unknown, string]>([
    [undefined, 'nothing'],
    [{}, '{}'],
    [null, 'null'],
    [[], '[]'],
    ['dev', '"dev"'],
  ])('rejects the context value %p and says to add it to cdk.json', (raw, shown) => {
    expect(() => parseEnvironmentConfigs(raw)).toThrow(
      `context \`secure-api:environments\` must be an object of environments keyed by name, such as { "dev": { ... } }, got ${shown}: add it to cdk.json`,
    );
  });

  test('throws for the first invalid environment, naming it', () => {
    expect(() => parseEnvironmentConfigs({ dev: devSettings(), prod: { ...prodSettings(), removalPolicy: 'destroy' } })).toThrow(
      /^`secure-api:environments\.prod\.removalPolicy`/,
    );
  });
});

describe('selectEnvironments', () => {
  const configs = parseEnvironmentConfigs({ dev: devSettings(), staging: prodSettings(), prod: prodSettings() });

  test('returns every environment when none is selected, as a copy', () => {
    const selected = selectEnvironments(configs, undefined);
    expect(selected.map((c) => c.name)).toEqual(['dev', 'staging', 'prod']);
    expect(selected).not.toBe(configs);
  });

  test('returns only the selected environment', () => {
    expect(selectEnvironments(configs, 'staging')).toEqual([configs[1]]);
  });

  test('rejects an unknown environment and lists the known names', () => {
    expect(() => selectEnvironments(configs, 'qa')).toThrow(
      'context `env` names the unknown environment "qa": use one of "dev", "staging", "prod"',
    );
  });

  test('rejects an empty selection instead of returning all environments', () => {
    expect(() => selectEnvironments(configs, '')).toThrow('context `env` names the unknown environment "": use one of "dev", "staging", "prod"');
  });

  test('matches names exactly, not case-insensitively', () => {
    expect(() => selectEnvironments(configs, 'Prod')).toThrow(EnvironmentConfigError);
  });
});

describe('the example app cdk.json', () => {
  const cdkJson = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };

  test('has `secure-api:environments` context that parses without error', () => {
    expect(() => parseEnvironmentConfigs(cdkJson.context[ENVIRONMENTS_CONTEXT_KEY])).not.toThrow();
  });

  test('defines dev, staging and prod', () => {
    const configs = parseEnvironmentConfigs(cdkJson.context[ENVIRONMENTS_CONTEXT_KEY]);
    expect(configs.map((c) => c.name).sort()).toEqual(['dev', 'prod', 'staging']);
  });

  test('retains keys and logs in staging and prod', () => {
    const configs = parseEnvironmentConfigs(cdkJson.context[ENVIRONMENTS_CONTEXT_KEY]);
    for (const name of ['staging', 'prod']) {
      expect(configs.find((c) => c.name === name)?.removalPolicy).toBe(RemovalPolicy.RETAIN);
    }
  });
});
