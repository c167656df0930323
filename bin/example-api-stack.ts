import * as path from 'node:path';
import { Stack, StackProps } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import {
  EnvironmentConfig,
  LambdaRouteIntegration,
  RouteAuthorization,
  SecureNodejsFunction,
  SecureRestApi,
} from '../lib';
import { ENV } from '../lambda/shared/constants';

/** Properties of the example stack. */
export interface ExampleApiStackProps extends StackProps {
  /** The environment's validated settings. */
  readonly config: EnvironmentConfig;
}

/** The JSON schema of a new pet, checked by API Gateway before the backend runs. */
const NEW_PET_SCHEMA: apigw.JsonSchema = {
  type: apigw.JsonSchemaType.OBJECT,
  additionalProperties: false,
  required: ['name', 'species'],
  properties: {
    name: { type: apigw.JsonSchemaType.STRING, minLength: 1, maxLength: 100 },
    species: { type: apigw.JsonSchemaType.STRING, enum: ['cat', 'dog', 'fish'] },
  },
};

/**
 * The example app's one stack: a pets API with a public health check, API-key routes for
 * partners and an IAM route for internal services. Instantiated once per environment.
 */
export class ExampleApiStack extends Stack {
  public readonly api: SecureRestApi;

  constructor(scope: Construct, id: string, props: ExampleApiStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.api = new SecureRestApi(this, 'PetsApi', {
      description: `Example pets API (${config.name})`,
      stageName: config.stageName,
      throttle: config.throttle,
      logRetention: config.logRetention,
      removalPolicy: config.removalPolicy,
      createAccountLoggingRole: config.createAccountLoggingRole,
    });

    const backend = new SecureNodejsFunction(this, 'PetsBackend', {
      entry: path.join(__dirname, '..', 'lambda', 'example-backend', 'index.ts'),
      description: 'Example backend of the pets API',
      encryption: this.api.encryption,
      logGroupRetention: config.logRetention,
      logGroupRemovalPolicy: config.removalPolicy,
      environment: { [ENV.serviceName]: 'pets-api' },
    });
    const integration = new LambdaRouteIntegration(backend);

    this.api.addRoute('GET /health', {
      authorization: RouteAuthorization.publicAccess('uptime monitors call it without credentials; it returns no data'),
      integration,
    });
    this.api.addRoute('GET /pets', { authorization: RouteAuthorization.apiKey(), integration });
    this.api.addRoute('GET /pets/{petId}', { authorization: RouteAuthorization.apiKey(), integration });
    this.api.addRoute('POST /pets', {
      authorization: RouteAuthorization.iam(),
      integration,
      requestBodySchema: NEW_PET_SCHEMA,
      throttle: { rateLimit: Math.max(1, Math.floor(config.throttle.rateLimit / 10)), burstLimit: Math.max(1, Math.floor(config.throttle.burstLimit / 10)) },
    });

    // Partners call the API-key routes under a usage plan (issue: UsageTiers will replace this).
    const plan = this.api.api.addUsagePlan('PartnerPlan', {
      description: 'Partners reading the pets catalogue',
      throttle: { rateLimit: config.throttle.rateLimit / 2, burstLimit: config.throttle.burstLimit / 2 },
      quota: { limit: 10_000, period: apigw.Period.DAY },
      apiStages: [{ api: this.api.api, stage: this.api.stage }],
    });
    plan.addApiKey(this.api.api.addApiKey('PartnerKey', { description: 'Example partner key; its value is never output' }));

    // Internal services that may add pets assume this role and sign their requests.
    const petWriter = new iam.Role(this, 'PetWriterRole', {
      assumedBy: new iam.AccountRootPrincipal(),
      description: 'Assumed by internal services that add pets through the API',
    });
    this.api.grantInvoke(petWriter, 'POST /pets');
  }
}
