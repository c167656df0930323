#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { ComplianceChecks } from 'secure-api-gateway';
import {
  ENVIRONMENTS_CONTEXT_KEY,
  ENVIRONMENT_SELECTOR_CONTEXT_KEY,
  parseEnvironmentConfigs,
  selectEnvironments,
} from './environment-config';
import { EnvironmentConfig } from './environment-config';
import { ExampleApiStack, blockListTableRegion } from './example-api-stack';
import { ExampleDnsStack } from './example-dns-stack';

/** Where Route 53's health-check metrics, and so their alarms, live. */
const ROUTE53_METRICS_REGION = 'us-east-1';

/**
 * The example app: one stack per environment in cdk.json's `secure-api:environments`, or, for an
 * environment with several regions, one stack per region (`SecureApi-<env>-<region>`) plus its
 * DNS stack (`SecureApi-<env>-dns`). `cdk synth` synthesizes all of them; `cdk deploy
 * 'SecureApi-prod*'` deploys one environment; `-c env=prod` narrows the app to one environment.
 */
export function buildApp(app: App = new App()): App {
  // cdk-nag's five packs run at every synth: a finding nobody acknowledged with a reason fails it.
  ComplianceChecks.addTo(app);
  const all = parseEnvironmentConfigs(app.node.tryGetContext(ENVIRONMENTS_CONTEXT_KEY));
  for (const config of selectEnvironments(all, app.node.tryGetContext(ENVIRONMENT_SELECTOR_CONTEXT_KEY))) {
    if (config.regions.length === 1) {
      new ExampleApiStack(app, `SecureApi-${config.name}`, stackProps(config, config.region));
    } else {
      buildMultiRegion(app, config);
    }
  }
  return app;
}

/**
 * A multi-region environment. The first region's stack creates the user pool; the others trust it
 * through explicit cross-region references (`Fn::GetStackOutput`), so they deploy after it. The
 * second region's stack creates the block list's global table, with a replica in each other region
 * encrypted by the key alias that region's stack creates, so it deploys after all of them.
 */
function buildMultiRegion(app: App, config: EnvironmentConfig): void {
  const [primaryRegion, ...others] = config.regions;
  const primary = new ExampleApiStack(app, `SecureApi-${config.name}-${primaryRegion}`, { ...stackProps(config, primaryRegion), crossRegionReferences: true });
  const secondaries = others.map((region) => new ExampleApiStack(app, `SecureApi-${config.name}-${region}`, {
    ...stackProps(config, region),
    primary,
    crossRegionReferences: true,
  }));
  const tableOwner = secondaries.find((stack) => stack.region === blockListTableRegion(config))!;
  for (const stack of [primary, ...secondaries].filter((s) => s !== tableOwner)) {
    tableOwner.addStackDependency(stack, 'the block list\'s global table puts a replica in this region, encrypted with the key alias this stack creates');
  }
  new ExampleDnsStack(app, `SecureApi-${config.name}-dns`, {
    env: { account: config.account, region: ROUTE53_METRICS_REGION },
    config,
    regionalStacks: [primary, ...secondaries],
    terminationProtection: config.profile === 'prod',
    description: `Example secure pets API, ${config.name} environment: failover DNS and health checks`,
  });
}

function stackProps(config: EnvironmentConfig, region: string) {
  return {
    env: { account: config.account, region },
    config,
    terminationProtection: config.profile === 'prod',
    description: `Example secure pets API, ${config.name} environment${config.regions.length > 1 ? `, ${region}` : ''}`,
  };
}

if (require.main === module) {
  buildApp().synth();
}
