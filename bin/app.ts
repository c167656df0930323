#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import {
  ENVIRONMENTS_CONTEXT_KEY,
  ENVIRONMENT_SELECTOR_CONTEXT_KEY,
  parseEnvironmentConfigs,
  selectEnvironments,
} from './environment-config';
import { ExampleApiStack } from './example-api-stack';

/**
 * The example app: one stack per environment in cdk.json's `secure-api:environments`.
 * `cdk synth` synthesizes all of them; `cdk deploy SecureApi-prod` deploys one; `-c env=prod`
 * narrows the app to one environment.
 */
export function buildApp(app: App = new App()): App {
  const all = parseEnvironmentConfigs(app.node.tryGetContext(ENVIRONMENTS_CONTEXT_KEY));
  for (const config of selectEnvironments(all, app.node.tryGetContext(ENVIRONMENT_SELECTOR_CONTEXT_KEY))) {
    new ExampleApiStack(app, `SecureApi-${config.name}`, {
      env: { account: config.account, region: config.region },
      config,
      terminationProtection: config.profile === 'prod',
      description: `Example secure pets API, ${config.name} environment`,
    });
  }
  return app;
}

if (require.main === module) {
  buildApp().synth();
}
