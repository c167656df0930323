import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { AspectPriority, Aspects, CfnResource, Duration, Lazy, Stack, Stage } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { Construct, IConstruct } from 'constructs';
import { BundledHandlerName, SETTINGS_FILE } from '../../lambda/shared/constants';
import { HouseFunctionOptions, grantHouseFunctionAccess, houseFunctionDefaults } from './house-function';
import { NAG_ACKNOWLEDGEMENTS, acknowledgeNag } from './nag';
import { SettingsFile, environmentLimitError, settingsFile } from './settings-file';
import { ValidationError } from './validation-error';

/**
 * Where the pre-bundled handlers are, whether this module runs from the sources
 * (`lib/private/` → `dist/handlers/`) or from the built package (`dist/lib/private/` → `dist/handlers/`).
 */
const HANDLER_DIRS = [
  path.join(__dirname, '..', '..', 'handlers'),
  path.join(__dirname, '..', '..', 'dist', 'handlers'),
];

/** The folder of a pre-bundled handler: `index.js` and its source map, written when the library was built. */
export function bundledHandlerDir(scope: Construct, name: BundledHandlerName): string {
  const dir = HANDLER_DIRS.map((parent) => path.join(parent, name)).find((candidate) => existsSync(path.join(candidate, 'index.js')));
  if (dir === undefined) {
    throw new ValidationError(`The pre-bundled handler '${name}' is missing (looked in ${HANDLER_DIRS.map((parent) => path.join(parent, name)).join(', ')}): the package is incomplete; reinstall secure-api-gateway, or in a clone of the library run \`npm run build\``, scope);
  }
  return dir;
}

/** Properties of a {@link BundledHandlerFunction}. */
export interface BundledHandlerFunctionProps extends HouseFunctionOptions {
  /** The handler to deploy. */
  readonly handler: BundledHandlerName;
  /** The function's description. */
  readonly description: string;
  /** @default Duration.seconds(10) */
  readonly timeout?: Duration;
  /** @default - none beyond the house's */
  readonly environment?: Record<string, string>;
  /** @default 2 (Lambda's default for asynchronous invocations) */
  readonly retryAttempts?: number;
  /** @default - no reservation */
  readonly reservedConcurrentExecutions?: number;
  /** Where failed asynchronous invocations go. @default - nowhere */
  readonly onFailure?: lambda.IDestination;
  /**
   * The handler's settings, written as {@link SETTINGS_FILE} into the function's asset when the app
   * is synthesized (so they may depend on what is added after the function, such as routes). Values
   * known only at deploy time travel in environment variables the file refers to.
   */
  readonly settings: () => unknown;
}

/**
 * The function's code: its asset is made when the app is synthesized, by {@link BundledHandlerFunction},
 * so the location it gives the function is lazy.
 */
class LateAssetCode extends lambda.Code {
  public readonly isInline = false;
  /** The asset, once made. */
  public asset?: s3assets.Asset;
  /** The function's resource and its property, for the asset's metadata. */
  public resource?: { readonly resource: CfnResource; readonly property: string };

  public bind(scope: Construct): lambda.CodeConfig {
    const location = (of: (asset: s3assets.Asset) => string) => Lazy.string({
      produce: () => {
        if (this.asset === undefined) {
          throw new ValidationError('The function\'s asset is written when the app is synthesized (`app.synth()`, `cdk synth`, `Template.fromStack()`): its location cannot be read before', scope);
        }
        return of(this.asset);
      },
    });
    return { s3Location: { bucketName: location((asset) => asset.s3BucketName), objectKey: location((asset) => asset.s3ObjectKey) } };
  }

  public bindToResource(resource: CfnResource, options: lambda.ResourceBindOptions = {}): void {
    this.resource = { resource, property: options.resourceProperty ?? 'Code' };
  }
}

/** The id of the function's asset, a child of the function: `lambda.Code.fromAsset`'s. */
const ASSET_ID = 'Code';

/**
 * A function of the library's own: a handler bundled when the library was built (no esbuild or
 * Docker at the user's synth), with the house defaults, whose asset is the bundle (`index.js` and
 * its source map, byte for byte) and its settings file ({@link SETTINGS_FILE}).
 *
 * The settings can depend on what is added after the function (an authorizer's settings list every
 * route of its API), and an asset is staged when it is made: so the asset is made by an aspect at
 * the start of synthesis, before aws-cdk-lib prepares the app (nested stacks, references), and the
 * function's code points at it through lazy values. The asset carries the metadata
 * `lambda.Code.fromAsset` gives (SAM, `aws:asset:*`). Its hash is the hash of the bundle and the
 * settings, so it changes when either does.
 */
export class BundledHandlerFunction extends lambda.Function {
  /** The settings file as written into the asset at the last synthesis; undefined before. */
  public writtenSettings?: SettingsFile;

  private readonly lateCode: LateAssetCode;
  private readonly bundleDir: string;
  private readonly settings: () => unknown;

  constructor(scope: Construct, id: string, props: BundledHandlerFunctionProps) {
    const { defaults, enforced, environment, access } = houseFunctionDefaults(scope, id, props);
    const bundleDir = bundledHandlerDir(scope, props.handler);
    const code = new LateAssetCode();
    super(scope, id, {
      ...defaults,
      code,
      handler: 'index.handler',
      description: props.description,
      timeout: props.timeout ?? defaults.timeout,
      retryAttempts: props.retryAttempts,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      onFailure: props.onFailure,
      ...enforced,
      environment: { ...environment, ...props.environment },
    });
    grantHouseFunctionAccess(this, access);
    if (access.houseRole !== undefined) {
      // The role holds the library's own statements for its own handler: nothing of the user's.
      acknowledgeNag(access.houseRole, NAG_ACKNOWLEDGEMENTS.inlineHousePolicy);
    }
    this.lateCode = code;
    this.bundleDir = bundleDir;
    this.settings = props.settings;
    // READONLY: after the aspects that change the app, at this function and above it.
    Aspects.of(this).add({ visit: (node: IConstruct) => (node === this ? this.writeAsset() : undefined) }, { priority: AspectPriority.READONLY });
    this.node.addValidation({ validate: () => this.validateSettings() });
  }

  /**
   * Writes the bundle and the settings file into a folder of the cloud assembly and makes it the
   * function's asset; the settings' deploy-time values become environment variables. Again at a
   * later synthesis only if the settings changed.
   */
  private writeAsset(): void {
    const file = settingsFile(this, this.settings());
    if (this.lateCode.asset !== undefined && this.writtenSettings?.text === file.text) {
      return;
    }
    for (const [name, value] of Object.entries(file.variables)) {
      this.addEnvironment(name, value);
    }
    const source = mkdtempSync(path.join(Stage.of(this)!.assetOutdir, 'settings-'));
    for (const name of readdirSync(this.bundleDir)) {
      copyFileSync(path.join(this.bundleDir, name), path.join(source, name));
    }
    writeFileSync(path.join(source, SETTINGS_FILE), file.text);
    this.node.tryRemoveChild(ASSET_ID);
    const asset = new s3assets.Asset(this, ASSET_ID, { path: source, deployTime: true });
    if (this.lateCode.resource) {
      asset.addResourceMetadata(this.lateCode.resource.resource, this.lateCode.resource.property);
    }
    if (!this.node.tryGetContext(cxapi.DISABLE_ASSET_STAGING_CONTEXT)) {
      // Staging copied the folder into the assembly as `asset.<hash>`.
      rmSync(source, { recursive: true, force: true });
    }
    this.lateCode.asset = asset;
    this.writtenSettings = file;
  }

  private validateSettings(): string[] {
    const errors: string[] = [];
    if (this.writtenSettings && settingsFile(this, this.settings()).text !== this.writtenSettings.text) {
      errors.push(`The settings of \`${this.node.path}\` changed after they were written into its asset at the start of synthesis (a route or setting added by an aspect?): add routes and settings before the app is synthesized`);
    }
    const environment = Stack.of(this).resolve((this.node.defaultChild as lambda.CfnFunction).environment) as { variables?: Record<string, unknown> } | undefined;
    const tooLarge = environmentLimitError(this, environment?.variables ?? {});
    if (tooLarge !== undefined) {
      errors.push(tooLarge);
    }
    return errors;
  }
}
