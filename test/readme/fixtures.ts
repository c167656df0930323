/**
 * What README samples may use without writing it out: see test/readme/readme-samples.test.ts for the
 * conventions. Each fixture stands for what an earlier sample of the README built, so a later sample
 * can show one construct without repeating the setup; keep them as close to those samples as that
 * allows, and prefer a self-contained sample where the setup is a line or two.
 */
import { Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import {
  ApiDashboard, ApiFirewall, CognitoUserDirectory, LambdaRouteIntegration, RouteAuthorization, SecureRestApi,
} from '../../lib';
import { inlineFunction } from '../helpers/stack';

/**
 * The imports a sample without `import` lines gets, for the names it uses: the aws-cdk-lib names and
 * module aliases the README's samples use (as in its first sample). Every value the package exports
 * is imported from 'secure-api-gateway' too. A sample with `import` lines is complete: it gets none.
 */
export const IMPLICIT_IMPORTS: Readonly<Record<string, string>> = {
  Duration: "import { Duration } from 'aws-cdk-lib';",
  RemovalPolicy: "import { RemovalPolicy } from 'aws-cdk-lib';",
  Size: "import { Size } from 'aws-cdk-lib';",
  apigw: "import * as apigw from 'aws-cdk-lib/aws-apigateway';",
  cloudwatch: "import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';",
  cognito: "import * as cognito from 'aws-cdk-lib/aws-cognito';",
  ec2: "import * as ec2 from 'aws-cdk-lib/aws-ec2';",
  iam: "import * as iam from 'aws-cdk-lib/aws-iam';",
  lambda: "import * as lambda from 'aws-cdk-lib/aws-lambda';",
  logs: "import * as logs from 'aws-cdk-lib/aws-logs';",
  route53: "import * as route53 from 'aws-cdk-lib/aws-route53';",
  sns: "import * as sns from 'aws-cdk-lib/aws-sns';",
};

/**
 * The free names a sample opts into with `<!-- sample-fixture: api, integration -->` before its
 * block. Each is built on first use, in the sample's own stack; one fixture may use another.
 */
export class ReadmeFixtures {
  private readonly built = new Map<string, unknown>();

  constructor(private readonly scope: Stack) {}

  /**
   * The `SecureRestApi` of the first sample, with that sample's API-key route `GET /pets/{petId}`
   * (an API needs a route to synthesize).
   */
  public get api(): SecureRestApi {
    return this.once('api', () => {
      const api = new SecureRestApi(this.scope, 'PetsApi');
      api.addRoute('GET /pets/{petId}', { authorization: RouteAuthorization.apiKey(), integration: this.integration });
      return api;
    });
  }

  /** A `LambdaRouteIntegration`, as `integration` in the first sample (here of a small inline function). */
  public get integration(): LambdaRouteIntegration {
    return this.once('integration', () => new LambdaRouteIntegration(inlineFunction(this.scope, 'Backend')));
  }

  /** The `CognitoUserDirectory` of the `CognitoUserDirectory` sample: scopes `pets/read` and `pets/write`. */
  public get users(): CognitoUserDirectory {
    return this.once('users', () => new CognitoUserDirectory(this.scope, 'Users', {
      resourceServerIdentifier: 'pets',
      scopes: [{ name: 'read', description: 'Read pets' }, { name: 'write', description: 'Change pets' }],
    }));
  }

  /** The user client `WebApp` of the `CognitoUserDirectory` sample. */
  public get webApp(): cognito.UserPoolClient {
    return this.once('webApp', () => this.users.addUserClient('WebApp', {
      callbackUrls: ['https://app.example.com/callback'],
      scopes: ['pets/read'],
    }));
  }

  /** The `ApiFirewall` of the `ApiFirewall` sample, on `api`, with its defaults. */
  public get firewall(): ApiFirewall {
    return this.once('firewall', () => new ApiFirewall(this.scope, 'Firewall', { api: this.api }));
  }

  /** The `ApiDashboard` of `api`, as the `ApiFirewall` sample creates it. */
  public get dashboard(): ApiDashboard {
    return this.once('dashboard', () => new ApiDashboard(this.scope, 'Dashboard', { api: this.api }));
  }

  private once<T>(name: string, build: () => T): T {
    if (!this.built.has(name)) {
      this.built.set(name, build());
    }
    return this.built.get(name) as T;
  }
}

/** The names of the fixtures, for checking a sample's opt-in comment. */
export const FIXTURE_NAMES: readonly string[] = Object.entries(Object.getOwnPropertyDescriptors(ReadmeFixtures.prototype))
  .filter(([, descriptor]) => descriptor.get !== undefined)
  .map(([name]) => name)
  .sort();
