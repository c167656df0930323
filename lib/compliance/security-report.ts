import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CfnElement,
  IPolicyValidationContext,
  IPolicyValidationPlugin,
  NestedStack,
  PolicyValidationPluginReport,
  Stack,
  Stage,
  Validations,
} from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { AcknowledgementFact, buildReport, REPORT_SCHEMA_VERSION, RouteFact } from '../private/security-report/report-model';
import { renderIncompleteMarkdown, renderJson, renderMarkdown } from '../private/security-report/render';
import { ReportTemplate } from '../private/security-report/template-graph';

/** Marks an app (or stage) on which the plugin is registered, across copies of the library. */
const REGISTERED_SYMBOL = Symbol.for('secure-api-gateway.SecurityReport.registered');
/** Marks a stack whose report is written. */
const ENABLED_SYMBOL = Symbol.for('secure-api-gateway.SecurityReport.enabled');
/** Marks a `SecureRestApi` (the same symbol its class sets). */
const SECURE_REST_API_SYMBOL = Symbol.for('secure-api-gateway.SecureRestApi');

/** The suffix of a stack's Markdown report in the cloud assembly: `<artifactId>.security-report.md`. */
const MARKDOWN_SUFFIX = '.security-report.md';
/** The suffix of a stack's JSON report in the cloud assembly: `<artifactId>.security-report.json`. */
const JSON_SUFFIX = '.security-report.json';

/**
 * A security and cost report of a stack, written with the cloud assembly at every synth
 * (`cdk synth` and `app.synth()`) as `<artifactId>.security-report.md` and `.json`: every route with
 * its authorization, API key and throttles; the WAF rules in order and the capacity they use; key
 * rotation, log retention and encryption at rest; the alarms and where they notify; the resource
 * count of each template against CloudFormation's 500; the acknowledgements in force
 * (`Validations.of(scope).acknowledge()`) with their reasons; and the fixed monthly and per-request
 * cost of the controls, itemized, with the prices used and the day they were taken.
 *
 * `SecureRestApi` turns it on for its stack (its `securityReport` prop turns that off). It is an
 * aws-cdk-lib policy validation plugin, registered once on the app: it reads the templates as
 * written (nested stacks' too), reports no violation, and prints nothing. It runs whether or not
 * aws-cdk-lib's own template validation runs (`CDK_VALIDATION=false`).
 */
export class SecurityReport implements IPolicyValidationPlugin {
  /** The plugin's name in aws-cdk-lib's validation report. */
  public static readonly PLUGIN_NAME = 'secure-api-gateway-security-report';

  /** The file name of a stack's Markdown report in the cloud assembly. */
  public static markdownFileName(artifactId: string): string {
    return `${artifactId}${MARKDOWN_SUFFIX}`;
  }

  /** The file name of a stack's JSON report in the cloud assembly. */
  public static jsonFileName(artifactId: string): string {
    return `${artifactId}${JSON_SUFFIX}`;
  }

  /**
   * Writes the report of the stack that holds `scope` (the top-level stack, if `scope` is in a
   * nested stack), and registers the plugin on the app once. Calling it again does nothing more.
   */
  public static enable(scope: IConstruct): void {
    const stack = topLevelStack(Stack.of(scope));
    if (!(ENABLED_SYMBOL in stack)) {
      Object.defineProperty(stack, ENABLED_SYMBOL, { value: true });
    }
    const root = scope.node.root;
    const owner = Stage.isStage(root) ? root : Stage.of(scope);
    if (owner && !(REGISTERED_SYMBOL in owner)) {
      Object.defineProperty(owner, REGISTERED_SYMBOL, { value: true });
      Validations.of(owner).addPlugins(new SecurityReport());
    }
  }

  /** Whether the report of `stack` is written. */
  public static isEnabled(stack: Stack): boolean {
    return ENABLED_SYMBOL in topLevelStack(stack);
  }

  /** The plugin's name, {@link SecurityReport.PLUGIN_NAME}. */
  public readonly name: string = SecurityReport.PLUGIN_NAME;

  /** The version of the report's JSON shape, as a semantic version. */
  public readonly version?: string = `${REPORT_SCHEMA_VERSION}.0.0`;

  private constructor() {}

  /** Writes the report of each stack that has it on, next to its template. Reports no violation. */
  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const stacks = new Map(context.appConstruct.node.findAll()
      .filter((c): c is Stack => Stack.isStack(c) && !NestedStack.isNestedStack(c))
      .map((stack) => [stack.node.path, stack]));
    for (const entry of context.stackTemplates) {
      const stack = stacks.get(entry.stackConstructPath);
      if (!stack || !SecurityReport.isEnabled(stack)) {
        continue;
      }
      const outdir = path.dirname(entry.templatePath);
      const artifactId = path.basename(entry.templatePath).replace(/\.template\.json$/, '');
      const stackFacts = { artifactId, stackName: stack.stackName, constructPath: stack.node.path, region: entry.region, account: entry.accountId };
      let markdown: string;
      let json: string;
      try {
        const model = buildReport({
          ...stackFacts,
          template: readTemplates(stack, entry.templatePath, outdir),
          routes: routeFacts(stack),
          acknowledgements: acknowledgements(stack),
        });
        markdown = renderMarkdown(model);
        json = renderJson(model);
      } catch (error) {
        // The report is on by default: a template it cannot read (a shape it does not expect)
        // must not fail the user's synth. It says it is incomplete, and why, instead.
        const incomplete = { schemaVersion: REPORT_SCHEMA_VERSION, incomplete: true as const, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error), stack: stackFacts };
        markdown = renderIncompleteMarkdown(incomplete);
        json = renderJson(incomplete);
      }
      fs.writeFileSync(path.join(outdir, SecurityReport.markdownFileName(artifactId)), markdown);
      fs.writeFileSync(path.join(outdir, SecurityReport.jsonFileName(artifactId)), json);
    }
    return { success: true, violations: [] };
  }
}

function topLevelStack(stack: Stack): Stack {
  let current = stack;
  while (NestedStack.isNestedStack(current)) {
    current = Stack.of(current.node.scope!);
  }
  return current;
}

/** The stack's template and its nested stacks', as written to the cloud assembly. */
function readTemplates(stack: Stack, templatePath: string, outdir: string): ReportTemplate {
  const nested = stack.node.findAll()
    .filter((c): c is NestedStack => NestedStack.isNestedStack(c) && c.nestedStackParent === stack)
    .map((child) => ({
      logicalId: stack.resolve((child.nestedStackResource as CfnElement).logicalId) as string,
      template: readTemplates(child, path.join(outdir, child.templateFile), outdir),
    }));
  return {
    label: NestedStack.isNestedStack(stack) ? stack.node.path : stack.artifactId,
    fileName: path.basename(templatePath),
    template: JSON.parse(fs.readFileSync(templatePath, 'utf-8')),
    nested,
  };
}

/** The access matrix's descriptions of the routes of every `SecureRestApi` in the stack. */
function routeFacts(stack: Stack): RouteFact[] {
  return stack.node.findAll().filter((c) => SECURE_REST_API_SYMBOL in c).flatMap((c) => {
    const api = c as unknown as { api: IConstruct; accessMatrix: Array<{ routeKey: string; authorization: string }> };
    const cfn = api.api.node.defaultChild as CfnElement;
    const owner = Stack.of(cfn);
    const restApiLogicalId = owner.resolve(cfn.logicalId) as string;
    const restApiTemplate = NestedStack.isNestedStack(owner) ? owner.node.path : owner.artifactId;
    return api.accessMatrix.map((entry) => ({ restApiTemplate, restApiLogicalId, routeKey: entry.routeKey, authorization: entry.authorization }));
  });
}

/**
 * Every acknowledgement in force in the stack: recorded on one of its constructs (nested stacks
 * included) or on a scope above it (the app, a stage), which covers the stack too.
 */
function acknowledgements(stack: Stack): AcknowledgementFact[] {
  const facts: AcknowledgementFact[] = [];
  const above = stack.node.scopes.slice(0, -1);
  for (const construct of [...above, ...stack.node.findAll()]) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY || !entry.data || typeof entry.data !== 'object') {
        continue;
      }
      const defaultChild = construct.node.defaultChild;
      const element = CfnElement.isCfnElement(construct) ? construct
        : defaultChild !== undefined && CfnElement.isCfnElement(defaultChild) ? defaultChild : undefined;
      const owner = element && Stack.of(element);
      // A construct of the stack with no resource under it (an imported table): the acknowledgement covers nothing here.
      const noResource = !above.includes(construct) && !construct.node.findAll().some((c) => CfnElement.isCfnElement(c));
      for (const [ruleId, reason] of Object.entries(entry.data as Record<string, unknown>)) {
        facts.push({
          ruleId,
          reason: String(reason),
          constructPath: construct.node.path,
          logicalId: element && owner ? owner.resolve(element.logicalId) : undefined,
          template: owner ? (NestedStack.isNestedStack(owner) ? owner.node.path : owner.artifactId) : undefined,
          ...(noResource ? { noResourceInStack: true } : {}),
        });
      }
    }
  }
  return facts;
}
