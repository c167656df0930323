import { Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { IConstruct } from 'constructs';
import { NAG_ACKNOWLEDGEMENTS, acknowledgeNag, acknowledgeNagIf, isOidcAuthorizer } from './nag';

/** Integration types a client certificate reaches: API Gateway presents it to HTTP backends only. */
const CLIENT_CERTIFICATE_INTEGRATION_TYPES = ['HTTP', 'HTTP_PROXY'];

/**
 * The cdk-nag findings a route's method does not deserve: a public route is public by the user's
 * stated reason; an IAM route or one of the library's JWT authorizer is authorized, by other means
 * than Cognito. An API-key-only
 * route gets nothing: cdk-nag is right that a key authorizes no one, and it is the user's choice.
 */
export function acknowledgeRouteFindings(method: apigw.Method, auth: { authorizationType: apigw.AuthorizationType; authorizer?: apigw.IAuthorizer; publicReason?: string }): void {
  if (auth.publicReason !== undefined) {
    acknowledgeNag(method, NAG_ACKNOWLEDGEMENTS.publicRoute);
  } else if (auth.authorizationType === apigw.AuthorizationType.IAM
    || (auth.authorizationType === apigw.AuthorizationType.CUSTOM && isOidcAuthorizer(auth.authorizer))) {
    // Another Lambda authorizer (a RouteAuthorization of the user's) is the user's to explain.
    acknowledgeNag(method, NAG_ACKNOWLEDGEMENTS.nonCognitoRoute);
  }
}

/**
 * The cdk-nag findings the stage does not deserve, each checked at synth against what the stage
 * then is: no cache cluster, no integration a client certificate would reach. `accountLoggingRole`
 * is API Gateway's account-wide logging role, if the API created it.
 */
export function acknowledgeStageFindings(stage: apigw.Stage, methods: () => readonly apigw.Method[], accountLoggingRole: IConstruct | undefined): void {
  const cfnStage = stage.node.defaultChild as apigw.CfnStage;
  acknowledgeNagIf(stage, NAG_ACKNOWLEDGEMENTS.noStageCache, () => !Stack.of(stage).resolve(cfnStage.cacheClusterEnabled));
  acknowledgeNagIf(stage, NAG_ACKNOWLEDGEMENTS.noBackendClientCertificate, () => cfnStage.clientCertificateId === undefined
    && methods().every((method) => !CLIENT_CERTIFICATE_INTEGRATION_TYPES.includes(integrationType(method) ?? '')));
  acknowledgeNag(stage, NAG_ACKNOWLEDGEMENTS.jsonAccessLog);
  if (accountLoggingRole !== undefined) {
    acknowledgeNag(accountLoggingRole, NAG_ACKNOWLEDGEMENTS.accountLoggingRole);
  }
}

function integrationType(method: apigw.Method): string | undefined {
  const cfnMethod = method.node.defaultChild as apigw.CfnMethod;
  const integration = Stack.of(cfnMethod).resolve(cfnMethod.integration) as { type?: string } | undefined;
  return integration?.type;
}
