import { CfnResource, Duration, Lazy, Names, Token } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';

/** Options of a {@link LambdaRouteIntegration}. */
export interface LambdaRouteIntegrationOptions {
  /**
   * How long API Gateway waits for the function.
   *
   * @default Duration.seconds(29)
   */
  readonly timeout?: Duration;
}

const LAMBDA_ROUTE_INTEGRATION_SYMBOL = Symbol.for('secure-api-gateway.LambdaRouteIntegration');

/**
 * A Lambda proxy integration that adds one `AWS::Lambda::Permission` per function and API, not two
 * per method as `LambdaIntegration` does.
 *
 * The permission lets API Gateway invoke the function only from the API's deployed stage
 * (`arn:...:execute-api:region:account:api-id/stage/*\/*`), not from other APIs and not from the
 * console's test-invoke stage.
 */
export class LambdaRouteIntegration extends apigw.AwsIntegration {
  /**
   * Whether `x` is a `LambdaRouteIntegration`, of this or another copy of the library (where
   * `instanceof` would say no).
   */
  public static isLambdaRouteIntegration(x: any): x is LambdaRouteIntegration {
    return x !== null && typeof x === 'object' && LAMBDA_ROUTE_INTEGRATION_SYMBOL in x;
  }

  /**
   * @param handler the function that serves the route's requests
   */
  constructor(public readonly handler: lambda.IFunction, options: LambdaRouteIntegrationOptions = {}) {
    super({
      proxy: true,
      service: 'lambda',
      path: `2015-03-31/functions/${handler.functionArn}/invocations`,
      options: { timeout: options.timeout },
    });
    Object.defineProperty(this, LAMBDA_ROUTE_INTEGRATION_SYMBOL, { value: true });
  }

  public bind(method: apigw.Method): apigw.IntegrationConfig {
    const config = super.bind(method);
    const api = method.api;
    const permissionId = `InvokePermission${Names.nodeUniqueId(this.handler.node)}`;
    if (!api.node.tryFindChild(permissionId)) {
      this.handler.addPermission(permissionId, {
        principal: new iam.ServicePrincipal('apigateway.amazonaws.com'),
        scope: api,
        sourceArn: Lazy.string({ produce: () => api.arnForExecuteApi('*', '/*', api.deploymentStage.stageName) }),
      });
    }
    // A new function (another name) must trigger a new deployment of the API. A function defined
    // here has the name it was given (or none) on its CloudFormation resource.
    const resource = this.handler.node.defaultChild;
    const functionName = CfnResource.isCfnResource(resource) && resource.cfnResourceType === lambda.CfnFunction.CFN_RESOURCE_TYPE_NAME
      ? (resource as lambda.CfnFunction).functionName
      : this.handler.functionName;
    return {
      ...config,
      deploymentToken: functionName !== undefined && !Token.isUnresolved(functionName) ? JSON.stringify({ functionName }) : undefined,
    };
  }
}
