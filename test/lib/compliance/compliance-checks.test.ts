/**
 * cdk-nag's five packs on the library's constructs, as a user's app runs them: what the library
 * creates carries no finding it did not acknowledge with a reason, and what the user chose stays
 * visible (an API-key-only route, a statement on `*` they add, an HTTP backend without a client
 * certificate, their own function outside a VPC).
 */
import * as path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { App, AspectPriority, Aspects, NestedStack, Stack, Stage, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct, IConstruct } from 'constructs';
import {
  AbuseBlocker, ApiEncryptionKey, ApiFirewall, CognitoUserDirectory, ComplianceChecks, CompliancePack, JwtAuthorizer, LambdaRouteIntegration,
  RouteAuthorization, SecureNodejsFunction, SecureRestApi,
} from '../../../lib';
import { NAG_ACKNOWLEDGEMENTS, nagAcknowledgementId } from '../../../lib/private/nag';
import { ValidationError } from '../../../lib/private/validation-error';
import { errorOf } from '../../helpers/errors';
import { NagResult, synthWithNag } from '../../helpers/nag';
import { CDK_JSON_CONTEXT, SKIP_BUNDLING, inlineFunction } from '../../helpers/stack';
import { skipTemplateValidatorInThisFile } from '../../helpers/template-validator';

skipTemplateValidatorInThisFile();

const ENTRY = path.join(__dirname, '..', '..', '..', 'lambda', 'example-backend', 'index.ts');
const CATALOGUED = new Set<string>(Object.values(NAG_ACKNOWLEDGEMENTS).flatMap((acknowledgement) => acknowledgement.rules));

/** A user's app: every construct of the library, a few choices of the user's own, and the five packs. */
function userApp(outdir: string, extend?: (stack: Stack, api: SecureRestApi) => void) {
  const app = new App({ outdir, context: { ...CDK_JSON_CONTEXT, ...SKIP_BUNDLING } });
  ComplianceChecks.addTo(app);
  const stack = new Stack(app, 'UserStack', { env: { account: '123456789012', region: 'eu-west-1' } });
  const api = new SecureRestApi(stack, 'Api', { createAccountLoggingRole: true, alarms: { emailAddresses: ['oncall@example.com'] } });
  const backend = new SecureNodejsFunction(stack, 'Backend', { entry: ENTRY, encryption: api.encryption });
  const integration = new LambdaRouteIntegration(backend);
  const users = new CognitoUserDirectory(stack, 'Users', { resourceServerIdentifier: 'pets', scopes: [{ name: 'read', description: 'Read pets' }], threatProtection: true });
  const jwt = new JwtAuthorizer(stack, 'Jwt', { api, issuers: [{ issuer: 'https://login.example.com/', jwksUri: 'https://login.example.com/keys', audience: ['pets'], scopes: ['pets:read'] }] });
  api.addRoute('GET /health', { authorization: RouteAuthorization.publicAccess('uptime monitors'), integration });
  api.addRoute('GET /catalogue', { authorization: RouteAuthorization.apiKey(), integration });
  api.addRoute('GET /pets', { authorization: users.authorize({ scopes: ['pets/read'] }), integration });
  api.addRoute('GET /orders', { authorization: jwt.authorize({ scopes: ['pets:read'] }), integration });
  api.addRoute('POST /orders', { authorization: RouteAuthorization.iam(), integration, requestBodySchema: { type: apigw.JsonSchemaType.OBJECT } });
  const firewall = new ApiFirewall(stack, 'Firewall', { api });
  new AbuseBlocker(stack, 'Blocker', { firewall });
  extend?.(stack, api);
  return { app, stack, backend };
}

/** The findings left, as `<pack>: <rule> at <path below the stack>`. */
function left(result: NagResult): string[] {
  return result.violations.map((v) => `${v.pack}: ${v.rule} at ${v.path.replace(/^UserStack\//, '')}`).sort();
}

/** What the user chose and cdk-nag rightly shows: their API-key-only route and their own function (its role holds their grants). */
const USER_CHOICES = [
  'AwsSolutions: AwsSolutions-APIG4 at Api/Resource/Default/catalogue/GET/Resource',
  'AwsSolutions: AwsSolutions-COG4 at Api/Resource/Default/catalogue/GET/Resource',
  'HIPAA.Security: HIPAA.Security-IAMNoInlinePolicy at BackendServiceRole/DefaultPolicy/Resource',
  'HIPAA.Security: HIPAA.Security-LambdaConcurrency at Backend/Resource',
  'HIPAA.Security: HIPAA.Security-LambdaDLQ at Backend/Resource',
  'HIPAA.Security: HIPAA.Security-LambdaInsideVPC at Backend/Resource',
  'NIST.800.53.R5: NIST.800.53.R5-IAMNoInlinePolicy at BackendServiceRole/DefaultPolicy/Resource',
  'NIST.800.53.R5: NIST.800.53.R5-LambdaConcurrency at Backend/Resource',
  'NIST.800.53.R5: NIST.800.53.R5-LambdaDLQ at Backend/Resource',
  'NIST.800.53.R5: NIST.800.53.R5-LambdaInsideVPC at Backend/Resource',
  'PCI.DSS.321: PCI.DSS.321-IAMNoInlinePolicy at BackendServiceRole/DefaultPolicy/Resource',
  'PCI.DSS.321: PCI.DSS.321-LambdaInsideVPC at Backend/Resource',
  'Serverless: Serverless-LambdaDLQ at Backend/Resource',
];

describe('cdk-nag on the library\'s constructs', () => {
  let plain: NagResult;
  let withUserChoices: NagResult;
  beforeAll(() => {
    plain = synthWithNag((outdir) => userApp(outdir).app);
    withUserChoices = synthWithNag((outdir) => userApp(outdir, (stack, api) => {
      const { backend } = { backend: stack.node.findChild('Backend') as SecureNodejsFunction };
      // The user's own statement on `*`: the X-Ray acknowledgement must not hide it.
      backend.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:ListAllMyBuckets'], resources: ['*'] }));
      // An HTTP backend: a client certificate would reach it, so the stage's finding comes back.
      api.addRoute('GET /legacy', { authorization: RouteAuthorization.iam(), integration: new apigw.HttpIntegration('https://legacy.example.com/') });
    }).app);
  }, 60_000);

  test('only the user\'s own choices are left: the API-key-only route and their function\'s DLQ, VPC and concurrency', () => {
    expect(left(plain)).toEqual(USER_CHOICES);
    expect(Object.keys(plain.conclusions)).toEqual(['AwsSolutions', 'NIST.800.53.R5', 'PCI.DSS.321', 'HIPAA.Security', 'Serverless']);
  });

  test('every finding the library acknowledged is one of its catalogued acknowledgements', () => {
    expect(plain.suppressed.length).toBeGreaterThan(40);
    for (const finding of plain.suppressed) {
      expect(CATALOGUED).toContain(finding.rule);
    }
  });

  test('the library acknowledges on the resource the finding is about, not above it', () => {
    const at = (rule: string) => plain.suppressed.filter((finding) => finding.rule === rule).map((finding) => finding.path.replace(/^UserStack\//, '')).sort();
    expect(at('AwsSolutions-APIG4')).toEqual(['Api/Resource/Default/health/GET/Resource']);
    expect(at('AwsSolutions-COG4')).toEqual([
      'Api/Resource/Default/health/GET/Resource',
      'Api/Resource/Default/orders/GET/Resource',
      'Api/Resource/Default/orders/POST/Resource',
    ]);
    expect(at('AwsSolutions-IAM5[Resource::*]')).toEqual([
      'BackendServiceRole/DefaultPolicy/Resource',
      'Blocker/FunctionServiceRole/DefaultPolicy/Resource',
      'Jwt/FunctionServiceRole/DefaultPolicy/Resource',
    ]);
    expect(at('NIST.800.53.R5-LambdaDLQ')).toEqual(['Blocker/Function/Resource', 'Jwt/Function/Resource']);
    expect(at('AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]')).toEqual(['Api/Resource/CloudWatchRole/Resource']);
    expect(at('Serverless-SNSRedrivePolicy')).toEqual(['Api/Alarms/Topic/oncall@example.com/Resource']);
  });

  test('a statement on * the user adds, and an HTTP backend, stay findings', () => {
    expect(left(withUserChoices)).toEqual([
      ...USER_CHOICES,
      'AwsSolutions: AwsSolutions-IAM5[Resource::*] at BackendServiceRole/DefaultPolicy/Resource',
      'HIPAA.Security: HIPAA.Security-APIGWSSLEnabled at Api/Resource/DeploymentStage.v1/Resource',
      'NIST.800.53.R5: NIST.800.53.R5-APIGWSSLEnabled at Api/Resource/DeploymentStage.v1/Resource',
      'PCI.DSS.321: PCI.DSS.321-APIGWSSLEnabled at Api/Resource/DeploymentStage.v1/Resource',
    ].sort());
  });

  test('an aspect of the user\'s that adds a statement on * and turns on a stage cache brings both findings back: the conditions are decided after every aspect', () => {
    const result = synthWithNag((outdir) => {
      const { app } = userApp(outdir);
      Aspects.of(app).add({
        visit: (node: IConstruct) => {
          if (node instanceof SecureNodejsFunction) {
            node.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:ListAllMyBuckets'], resources: ['*'] }));
          }
          if (node instanceof apigw.CfnStage) {
            node.cacheClusterEnabled = true;
            node.cacheClusterSize = '0.5';
          }
        },
      }, { priority: AspectPriority.MUTATING });
      return app;
    });
    expect(left(result).filter((finding) => !USER_CHOICES.includes(finding))).toEqual([
      'AwsSolutions: AwsSolutions-IAM5[Resource::*] at BackendServiceRole/DefaultPolicy/Resource',
      'HIPAA.Security: HIPAA.Security-APIGWCacheEnabledAndEncrypted at Api/Resource/DeploymentStage.v1/Resource',
      'NIST.800.53.R5: NIST.800.53.R5-APIGWCacheEnabledAndEncrypted at Api/Resource/DeploymentStage.v1/Resource',
      'PCI.DSS.321: PCI.DSS.321-APIGWCacheEnabledAndEncrypted at Api/Resource/DeploymentStage.v1/Resource',
    ]);
  });

  test('a Lambda authorizer of the user\'s own keeps its COG4: the library explains only its JWT authorizer', () => {
    class HeaderCheck extends RouteAuthorization {
      public readonly description = 'header check';
      public bind(scope: IConstruct) {
        const authorizer = new apigw.RequestAuthorizer(scope as Construct, 'HeaderCheck', {
          handler: inlineFunction(Stack.of(scope), 'HeaderCheckFn'),
          identitySources: [apigw.IdentitySource.header('x-check')],
        });
        return { authorizationType: apigw.AuthorizationType.CUSTOM, authorizer, apiKeyRequired: false };
      }
    }
    const result = synthWithNag((outdir) => userApp(outdir, (_stack, api) => {
      api.addRoute('GET /checked', { authorization: new HeaderCheck(), integration: new LambdaRouteIntegration(inlineFunction(Stack.of(api), 'Checked')) });
    }).app);
    expect(left(result).filter((finding) => finding.includes('checked/GET'))).toEqual(['AwsSolutions: AwsSolutions-COG4 at Api/Resource/Default/checked/GET/Resource']);
  });

  test('the acknowledgements are recorded on the constructs they are about', () => {
    const app = userApp(mkdtempSync(path.join(tmpdir(), 'nag-'))).app;
    // The packs fail on the user's own choices; the acknowledgements are made before they run.
    expect(() => app.synth()).toThrow(/AwsSolutions-APIG4/);
    const recorded: string[] = [];
    const walk = (node: IConstruct) => {
      for (const entry of node.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)) {
        recorded.push(...Object.keys(entry.data).map((id) => `${id} on ${node.node.path.replace(/^UserStack\//, '')}`));
      }
      node.node.children.forEach(walk);
    };
    walk(app);
    expect(recorded).toEqual(expect.arrayContaining([
      'AwsSolutions::AwsSolutions-APIG4 on Api/Resource/Default/health/GET',
      'AwsSolutions::AwsSolutions-COG4 on Api/Resource/Default/orders/GET',
      'AwsSolutions::AwsSolutions-IAM5[Resource::*] on BackendServiceRole/DefaultPolicy',
      'NIST.800.53.R5::NIST.800.53.R5-IAMNoInlinePolicy on Jwt/FunctionServiceRole',
      'AwsSolutions::AwsSolutions-SQS3 on Blocker/FailedInvocations',
      'NIST.800.53.R5::NIST.800.53.R5-APIGWSSLEnabled on Api/Resource/DeploymentStage.v1',
    ]));
    // Nothing on the stack, the API or the app: never above the resource.
    expect(recorded.filter((entry) => / on (UserStack|Api|Api\/Resource)$/.test(entry))).toEqual([]);
    expect(recorded.every((entry) => !entry.includes('IAMNoInlinePolicy on BackendServiceRole'))).toBe(true);
  });

  test('a reserved concurrency leaves the authorizer nothing to acknowledge about concurrency', () => {
    const result = synthWithNag((outdir) => {
      const app = new App({ outdir, context: { ...CDK_JSON_CONTEXT, ...SKIP_BUNDLING } });
      ComplianceChecks.addTo(app, { packs: [CompliancePack.NIST_800_53_R5] });
      const stack = new Stack(app, 'UserStack', { env: { account: '123456789012', region: 'eu-west-1' } });
      const api = new SecureRestApi(stack, 'Api', { alarms: { enabled: false } });
      const jwt = new JwtAuthorizer(stack, 'Jwt', { api, reservedConcurrency: 20, issuers: [{ issuer: 'https://login.example.com/', jwksUri: 'https://login.example.com/keys', audience: ['pets'], scopes: ['pets:read'] }] });
      api.addRoute('GET /orders', { authorization: jwt.authorize({ scopes: ['pets:read'] }), integration: new LambdaRouteIntegration(inlineFunction(stack)) });
      expect((jwt.function.node.defaultChild as lambda.CfnFunction).reservedConcurrentExecutions).toBe(20);
      return app;
    });
    expect(result.suppressed.filter((finding) => finding.rule.endsWith('LambdaConcurrency'))).toEqual([]);
    expect(result.violations.filter((finding) => finding.path.includes('Jwt/'))).toEqual([]);
  });
});

describe('a SecureNodejsFunction whose role is in another stack', () => {
  const build = (nested: boolean) => {
    const app = new App({ context: { ...CDK_JSON_CONTEXT, ...SKIP_BUNDLING } });
    const env = { account: '123456789012', region: 'eu-west-1' };
    const shared = new Stack(app, 'Shared', { env });
    const role = new iam.Role(shared, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const home = nested ? new NestedStack(shared, 'Functions') : new Stack(app, 'Functions', { env });
    const encryption = new ApiEncryptionKey(shared, 'Key');
    const fn = new SecureNodejsFunction(home, 'Fn', { entry: ENTRY, encryption, role });
    return { app, shared, fn };
  };

  test.each([false, true])('synthesizes without a dependency cycle (nested: %s): its log group is named in the policy, not referenced', (nested) => {
    const { app, shared } = build(nested);
    const assembly = app.synth();
    const template = assembly.getStackByName('Shared').template;
    const statements = Object.values<any>(template.Resources).filter((r) => r.Type === 'AWS::IAM::Policy').flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: nested
        ? expect.stringMatching(/^arn:aws:logs:eu-west-1:123456789012:log-group:\/aws\/lambda\/Shared-Functions-[0-9A-F]{8}-Fn:\*$/)
        : 'arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/Functions-Fn:*',
    });
    expect(shared.dependencies).toEqual([]);
  });
});

describe('ComplianceChecks', () => {
  test('registers on the app, once, whether it is called from the app, a stage or a stack in it', () => {
    const app = new App();
    const stage = new Stage(app, 'Dev');
    const stack = new Stack(stage, 'S');
    ComplianceChecks.addTo(stack);
    ComplianceChecks.addTo(stage, { packs: [CompliancePack.AWS_SOLUTIONS] });
    ComplianceChecks.addTo(app);
    const plugins = (construct: IConstruct) => (construct as unknown as { _validationPlugins: Array<{ name: string }> })._validationPlugins.map((plugin) => plugin.name);
    expect(plugins(app)).toEqual(['AwsSolutions', 'NIST.800.53.R5', 'PCI.DSS.321', 'HIPAA.Security', 'Serverless']);
    expect(plugins(stage)).toEqual([]);
  });

  test('refuses no packs and an unknown pack', () => {
    expect(errorOf(ValidationError, () => ComplianceChecks.addTo(new App(), { packs: [] })).message).toMatch(/`packs` must name at least one pack.*got \[\]: leave it out for all five/);
    expect(errorOf(ValidationError, () => ComplianceChecks.addTo(new App(), { packs: ['AwsSolution' as CompliancePack] })).message)
      .toMatch(/`packs` must hold CompliancePack values \(AwsSolutions, NIST.800.53.R5, PCI.DSS.321, HIPAA.Security, Serverless\), got "AwsSolution"/);
  });

  test('acknowledge records the pack-qualified id the validation framework matches, with the reason', () => {
    const app = new App();
    const stack = new Stack(app, 'S');
    ComplianceChecks.acknowledge(stack, 'MFA is optional in this test app', 'AwsSolutions-COG2', 'NIST.800.53.R5-LambdaDLQ');
    const recorded = stack.node.metadata.filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY).map((entry) => entry.data);
    expect(recorded).toEqual([
      { 'AwsSolutions::AwsSolutions-COG2': 'MFA is optional in this test app' },
      { 'NIST.800.53.R5::NIST.800.53.R5-LambdaDLQ': 'MFA is optional in this test app' },
    ]);
    expect(nagAcknowledgementId('AwsSolutions-IAM5[Resource::*]')).toBe('AwsSolutions::AwsSolutions-IAM5[Resource::*]');
  });

  test('acknowledge refuses a finding without a known pack, none at all, and a reason that says nothing', () => {
    const stack = new Stack(new App(), 'S');
    expect(errorOf(ValidationError, () => ComplianceChecks.acknowledge(stack, 'A good reason here', 'IAM5')).message).toMatch(/`findings` must be named as cdk-nag reports them, `<pack>-<rule>`.*got "IAM5"/);
    expect(errorOf(ValidationError, () => ComplianceChecks.acknowledge(stack, 'A good reason here')).message).toMatch(/`findings` must name at least one finding/);
    expect(errorOf(ValidationError, () => ComplianceChecks.acknowledge(stack, 'ok', 'AwsSolutions-COG2')).message).toMatch(/`reason` must say why the finding does not apply \(10 characters or more\), got "ok"/);
  });

  test('an error of cdk-nag\'s own other than its absence is not reported as its absence', () => {
    jest.isolateModules(() => {
      jest.doMock('cdk-nag', () => {
        throw new SyntaxError('Unexpected token in cdk-nag/lib/index.js');
      });
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { ComplianceChecks: Isolated } = require('../../../lib/compliance/compliance-checks') as typeof import('../../../lib/compliance/compliance-checks');
      expect(errorOf(SyntaxError, () => Isolated.addTo(new App())).message).toBe('Unexpected token in cdk-nag/lib/index.js');
    });
  });

  test('with a cdk-nag whose packs are not validation plugins (cdk-nag 2), addTo asks for cdk-nag 3', () => {
    jest.isolateModules(() => {
      class AspectPack { public visit() {} }
      jest.doMock('cdk-nag', () => ({ AwsSolutionsChecks: AspectPack }));
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { ComplianceChecks: Isolated, CompliancePack: Packs } = require('../../../lib/compliance/compliance-checks') as typeof import('../../../lib/compliance/compliance-checks');
      expect(errorOf(Error, () => Isolated.addTo(new App(), { packs: [Packs.AWS_SOLUTIONS] })).message)
        .toMatch(/needs cdk-nag 3, whose packs are aws-cdk-lib validation plugins; the installed cdk-nag has no AwsSolutionsChecks plugin/);
    });
  });

  test('without cdk-nag installed, addTo says how to install it', () => {
    jest.isolateModules(() => {
      jest.doMock('cdk-nag', () => {
        throw Object.assign(new Error('Cannot find module \'cdk-nag\' from \'lib/compliance/compliance-checks.ts\''), { code: 'MODULE_NOT_FOUND' });
      });
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { ComplianceChecks: Isolated } = require('../../../lib/compliance/compliance-checks') as typeof import('../../../lib/compliance/compliance-checks');
      expect((errorOf(Error, () => Isolated.addTo(new App()))).message).toMatch(/runs cdk-nag, which is not installed: `npm install --save-dev cdk-nag@\^3`/);
    });
  });
});
