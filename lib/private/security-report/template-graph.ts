/**
 * A stack's synthesized templates as one graph: the stack's template and its nested stacks'
 * templates, with references followed across them (a nested template's `Ref` to a parameter is
 * the value its parent passes). Pure: it reads JSON, never the construct tree.
 */

/** A CloudFormation resource as it is in a template. */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, any>;
  readonly Metadata?: Record<string, any>;
  readonly [key: string]: any;
}

/** One synthesized template and the nested stacks it creates. */
export interface ReportTemplate {
  /** How the report names the template: the stack's artifact id, or a nested stack's construct path. */
  readonly label: string;
  /** The template's file name in the cloud assembly. */
  readonly fileName: string;
  /** The template, as written. */
  readonly template: { readonly Resources?: Record<string, CfnResource>; readonly Parameters?: Record<string, unknown>; readonly [key: string]: unknown };
  /** The nested stacks, by the logical id of their `AWS::CloudFormation::Stack` in this template. */
  readonly nested: ReadonlyArray<{ readonly logicalId: string; readonly template: ReportTemplate }>;
}

/** A resource found in the graph. */
export interface GraphResource {
  readonly node: GraphNode;
  readonly logicalId: string;
  readonly resource: CfnResource;
}

/** A template of the graph, with its place in it. */
export interface GraphNode {
  readonly template: ReportTemplate;
  readonly parent?: { readonly node: GraphNode; readonly logicalId: string };
}

/** What a value points at: a resource (and the attribute read), or a value the graph cannot follow. */
export type Resolved =
  | { readonly kind: 'resource'; readonly target: GraphResource; readonly attribute?: string }
  | { readonly kind: 'literal'; readonly value: unknown };

/** The graph of a stack's templates. */
export class TemplateGraph {
  public readonly nodes: GraphNode[] = [];

  constructor(public readonly root: ReportTemplate) {
    const visit = (template: ReportTemplate, parent?: GraphNode['parent']) => {
      const node: GraphNode = { template, parent };
      this.nodes.push(node);
      for (const child of template.nested) {
        visit(child.template, { node, logicalId: child.logicalId });
      }
    };
    visit(root);
  }

  /** Every resource of every template, stack first, in template order. */
  public resources(type?: string): GraphResource[] {
    return this.nodes.flatMap((node) => Object.entries(node.template.template.Resources ?? {})
      .filter(([, resource]) => type === undefined || resource.Type === type)
      .map(([logicalId, resource]) => ({ node, logicalId, resource })));
  }

  /** Follows a `Ref` or `Fn::GetAtt` to the resource it names, through nested stacks' parameters. */
  public resolve(node: GraphNode, value: unknown): Resolved {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const v = value as Record<string, unknown>;
      if (typeof v.Ref === 'string') {
        return this.byName(node, v.Ref, undefined, value);
      }
      const getAtt = v['Fn::GetAtt'];
      if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') {
        return this.byName(node, getAtt[0], String(getAtt[1]), value);
      }
      if (typeof getAtt === 'string') {
        const [name, ...attribute] = getAtt.split('.');
        return this.byName(node, name, attribute.join('.'), value);
      }
    }
    return { kind: 'literal', value };
  }

  /** A short text for a value the graph cannot follow (an ARN, an import, a function of several values). */
  public describe(node: GraphNode, value: unknown): string {
    const resolved = this.resolve(node, value);
    if (resolved.kind === 'resource') {
      return resolved.target.logicalId;
    }
    const v = resolved.value as any;
    if (typeof v === 'string') {
      return v;
    }
    // `Fn::Join` of strings and references, as `a${Ref}b`: how the name of a log group of a REST API's stage reads.
    const join = v?.['Fn::Join'];
    if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
      return join[1].map((part: unknown) => typeof part === 'string' ? part : `\${${this.describe(node, part)}}`).join(join[0]);
    }
    return JSON.stringify(v);
  }

  private byName(node: GraphNode, name: string, attribute: string | undefined, original: unknown): Resolved {
    const resource = node.template.template.Resources?.[name];
    if (resource) {
      return { kind: 'resource', target: { node, logicalId: name, resource }, attribute };
    }
    if (node.template.template.Parameters?.[name] !== undefined && node.parent) {
      const stack = node.parent.node.template.template.Resources?.[node.parent.logicalId];
      const passed = stack?.Properties?.Parameters?.[name];
      if (passed !== undefined) {
        return this.resolve(node.parent.node, passed);
      }
    }
    return { kind: 'literal', value: original };
  }
}

/** Whether a value is `{ Ref: 'AWS::NoValue' }`, which removes the property or list item it stands for. */
function isNoValue(value: unknown): boolean {
  return value !== null && typeof value === 'object' && (value as Record<string, unknown>).Ref === 'AWS::NoValue';
}

/**
 * The items of a template list that may be an intrinsic: an array as it is; for `Fn::If`, the
 * items of both branches (either may be in force), for an item too; `AWS::NoValue` dropped; anything else (a
 * `Ref` to a list parameter, `Fn::Split`, an import) an empty list, as the report cannot know it.
 * Read every list of a template through it: iterating an intrinsic fails the user's synth.
 */
export function listOf(value: unknown): any[] {
  const branches = ifBranches(value);
  if (branches) {
    return branches.flatMap(listOf);
  }
  if (Array.isArray(value)) {
    // An item may be an `Fn::If` too: `[{ 'Fn::If': [c, item, { Ref: 'AWS::NoValue' }] }]`.
    return value.flatMap((item) => ifBranches(item) ?? [item]).filter((item) => !isNoValue(item));
  }
  return [];
}

/** The two branches of an `Fn::If`, or undefined for any other value. */
function ifBranches(value: unknown): unknown[] | undefined {
  const condition = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)['Fn::If'] : undefined;
  return Array.isArray(condition) && condition.length === 3 ? [condition[1], condition[2]] : undefined;
}
