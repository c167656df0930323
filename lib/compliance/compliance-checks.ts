import { IPolicyValidationPlugin, Stage, Validations } from 'aws-cdk-lib';
import type * as nag from 'cdk-nag';
import { IConstruct } from 'constructs';
import { nagAcknowledgementId } from '../private/nag';
import { ValidationError } from '../private/validation-error';

/** A cdk-nag 3 rule pack. */
export enum CompliancePack {
  /** AWS Solutions: the AWS Solutions Library's best practices. */
  AWS_SOLUTIONS = 'AwsSolutions',
  /** NIST 800-53 rev 5. */
  NIST_800_53_R5 = 'NIST.800.53.R5',
  /** PCI DSS 3.2.1. */
  PCI_DSS_3_2_1 = 'PCI.DSS.321',
  /** HIPAA Security. */
  HIPAA_SECURITY = 'HIPAA.Security',
  /** Serverless: the AWS serverless best practices. */
  SERVERLESS = 'Serverless',
}

/** Options of {@link ComplianceChecks.addTo}. */
export interface ComplianceChecksOptions {
  /**
   * The packs to run.
   *
   * @default - all five: AwsSolutions, NIST 800-53 rev 5, PCI DSS 3.2.1, HIPAA Security, Serverless
   */
  readonly packs?: CompliancePack[];

  /**
   * Whether findings carry cdk-nag's explanation of the rule besides its one-line description.
   *
   * @default false
   */
  readonly verbose?: boolean;
}

/** The cdk-nag class of each pack. */
const PACK_CLASSES: Record<CompliancePack, keyof typeof nag> = {
  [CompliancePack.AWS_SOLUTIONS]: 'AwsSolutionsChecks',
  [CompliancePack.NIST_800_53_R5]: 'NIST80053R5Checks',
  [CompliancePack.PCI_DSS_3_2_1]: 'PCIDSS321Checks',
  [CompliancePack.HIPAA_SECURITY]: 'HIPAASecurityChecks',
  [CompliancePack.SERVERLESS]: 'ServerlessChecks',
};

/** The packs already added to each app: adding one twice would report each finding twice. */
const ADDED = new WeakMap<IConstruct, Set<CompliancePack>>();

/**
 * The cdk-nag 3 rule packs, as policy-validation plugins of aws-cdk-lib: `cdk synth` (and
 * `app.synth()`) then fails on any finding that is not acknowledged, and writes every finding and
 * acknowledgement to `validation-report.json` in the cloud assembly.
 *
 * The library's constructs acknowledge the findings that do not fit what they create, each with a
 * reason, on the resource itself (the README lists them). What remains are the app's own choices,
 * such as a route authorized by an API key alone: fix them, or acknowledge them with
 * {@link ComplianceChecks.acknowledge}.
 *
 * cdk-nag is an optional peer dependency on npm: `npm install --save-dev cdk-nag@^3` (the jsii
 * packages for other languages depend on it).
 *
 * @example
 * const app = new App();
 * ComplianceChecks.addTo(app);
 */
export class ComplianceChecks {
  /**
   * Runs the packs on the whole app `scope` belongs to, at synth: cdk-nag checks every stack of
   * the app, in every stage, whichever construct it is added from. A pack already added to the
   * app is not added again (twice, it would report each finding twice).
   */
  public static addTo(scope: IConstruct, options: ComplianceChecksOptions = {}): void {
    const packs = options.packs ?? Object.values(CompliancePack);
    if (!Array.isArray(packs) || packs.length === 0) {
      throw new ValidationError(`\`packs\` must name at least one pack, such as [CompliancePack.AWS_SOLUTIONS], got ${JSON.stringify(packs)}: leave it out for all five`, scope);
    }
    for (const pack of packs) {
      if (!Object.values(CompliancePack).includes(pack)) {
        throw new ValidationError(`\`packs\` must hold CompliancePack values (${Object.values(CompliancePack).join(', ')}), got ${JSON.stringify(pack)}`, scope);
      }
    }
    const app = scope.node.root;
    if (!Stage.isStage(app)) {
      throw new ValidationError('ComplianceChecks.addTo needs a construct inside an App: the packs run when it is synthesized', scope);
    }
    const added = ADDED.get(app) ?? new Set<CompliancePack>();
    ADDED.set(app, added);
    const cdkNag = loadCdkNag(scope);
    const plugins: IPolicyValidationPlugin[] = [];
    for (const pack of new Set(packs)) {
      if (!added.has(pack)) {
        const PackClass = cdkNag[PACK_CLASSES[pack]] as (new (scope?: IConstruct, props?: nag.NagPackProps) => IPolicyValidationPlugin) | undefined;
        const plugin = PackClass === undefined ? undefined : new PackClass(undefined, { verbose: options.verbose ?? false });
        if (typeof plugin?.validate !== 'function') {
          throw new ValidationError(`ComplianceChecks.addTo needs cdk-nag 3, whose packs are aws-cdk-lib validation plugins; the installed cdk-nag has no ${PACK_CLASSES[pack]} plugin: \`npm install --save-dev cdk-nag@^3\``, scope);
        }
        added.add(pack);
        plugins.push(plugin);
      }
    }
    if (plugins.length > 0) {
      Validations.of(app).addPlugins(...plugins);
    }
  }

  /**
   * Acknowledges cdk-nag findings on `scope` and everything below it, with the reason a reviewer
   * reads. Name each finding as cdk-nag reports it, such as `AwsSolutions-COG2` or
   * `AwsSolutions-IAM5[Resource::*]`; acknowledge on the narrowest construct the finding is about.
   */
  public static acknowledge(scope: IConstruct, reason: string, ...findings: string[]): void {
    if (typeof reason !== 'string' || reason.trim().length < 10) {
      throw new ValidationError(`\`reason\` must say why the finding does not apply (10 characters or more), got ${JSON.stringify(reason)}`, scope);
    }
    if (findings.length === 0) {
      throw new ValidationError('`findings` must name at least one finding, such as \'AwsSolutions-COG2\'', scope);
    }
    for (const finding of findings) {
      const pack = typeof finding === 'string' ? finding.slice(0, finding.indexOf('-')) : '';
      if (!Object.values(CompliancePack).includes(pack as CompliancePack)) {
        throw new ValidationError(`\`findings\` must be named as cdk-nag reports them, \`<pack>-<rule>\` with a pack of ${Object.values(CompliancePack).join(', ')}, got ${JSON.stringify(finding)}`, scope);
      }
    }
    Validations.of(scope).acknowledge(...findings.map((finding) => ({ id: nagAcknowledgementId(finding), reason })));
  }

  private constructor() {}
}

function loadCdkNag(scope: IConstruct): typeof nag {
  try {
    return require('cdk-nag') as typeof nag;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && String((error as Error).message).includes('\'cdk-nag\'')) {
      throw new ValidationError('ComplianceChecks.addTo runs cdk-nag, which is not installed: `npm install --save-dev cdk-nag@^3`', scope);
    }
    throw error;
  }
}
