import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Stack, Stage } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { SETTINGS_FILE, SETTINGS_REFERENCE } from '../../lambda/shared/constants';
import { CDK_JSON_CONTEXT } from './stack';

/** A function of a synthesized stack and the folder esbuild wrote its bundle to. */
export interface BundledFunction {
  readonly logicalId: string;
  readonly properties: Record<string, any>;
  /** The bundle's folder: `index.js` and its source map. */
  readonly dir: string;
}

/**
 * A fresh app that bundles assets for real (as `cdk synth` does), writing into a temporary folder.
 * `insideProject` writes under the project's `node_modules/.cache` instead, so a bundle loaded in the
 * test process resolves the modules esbuild left out (`@aws-sdk/*`, which Lambda provides) from the
 * project, as the Lambda runtime would from its own.
 */
export function bundlingApp(context: Record<string, unknown> = {}, options: { insideProject?: boolean } = {}): App {
  const parent = options.insideProject ? path.join(__dirname, '..', '..', 'node_modules', '.cache') : tmpdir();
  mkdirSync(parent, { recursive: true });
  return new App({ outdir: mkdtempSync(path.join(parent, 'bundle-')), context: { ...CDK_JSON_CONTEXT, ...context } });
}

/** Synthesizes `app` and returns the Lambda functions of `stackName` with their bundles' folders. */
export function bundledFunctions(app: App, stackName: string): BundledFunction[] {
  const assembly = app.synth();
  const template = assembly.getStackByName(stackName).template;
  // The asset manifest maps each function's S3 key to the folder esbuild wrote.
  const manifest = JSON.parse(readFileSync(path.join(assembly.directory, `${stackName}.assets.json`), 'utf8'));
  return Object.entries<Record<string, any>>(template.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::Lambda::Function' && resource.Properties.Code?.S3Key)
    .map(([logicalId, resource]) => {
      const hash = String(resource.Properties.Code.S3Key).replace(/\.zip$/, '');
      return { logicalId, properties: resource.Properties, dir: path.join(assembly.directory, manifest.files[hash].source.path) };
    });
}

/**
 * The folder of a library function's asset (its bundle and {@link SETTINGS_FILE}), once its app is
 * synthesized (by `Template.fromStack` or `app.synth()`).
 */
export function assetDirOf(fn: lambda.IFunction): string {
  const asset = fn.node.findChild('Code') as s3assets.Asset;
  return path.resolve(Stage.of(fn)!.outdir, asset.assetPath);
}

/** The environment variables of a function as synthesized: literals, or CloudFormation intrinsics. */
export function environmentOf(fn: lambda.IFunction): Record<string, unknown> {
  return Stack.of(fn).resolve((fn.node.defaultChild as lambda.CfnFunction).environment).variables;
}

/** The settings file a synthesis wrote into a library function's asset: its text, as written. */
export function settingsTextOf(fn: lambda.IFunction): string {
  return readFileSync(path.join(assetDirOf(fn), SETTINGS_FILE), 'utf8');
}

/**
 * The settings of a library function as its handler reads them: the settings file, with each
 * `{ "$env": ... }` reference replaced by the synthesized value of its variable (a literal, or the
 * CloudFormation intrinsic that deploys as it).
 */
export function settingsOf(fn: lambda.IFunction): any {
  const environment = environmentOf(fn);
  return JSON.parse(settingsTextOf(fn), (_key, value) => (value !== null && typeof value === 'object' && SETTINGS_REFERENCE.env in value
    ? environment[value[SETTINGS_REFERENCE.env]]
    : value));
}
