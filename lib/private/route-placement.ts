/**
 * Where the methods of a `SecureRestApi` go once one stack cannot hold them: the first routes in
 * the API's own stack, later ones in nested stacks of a fixed capacity, in the order the routes were
 * added. Appending a route never moves an existing one, so the logical ids of existing methods, of
 * the nested stacks and of the stage do not change.
 */
import { NestedStack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { Construct } from 'constructs';
import { ParsedRoute } from './route-key';

/** Routes whose methods stay in the API's own stack unless the API says otherwise. */
export const DEFAULT_ROUTES_IN_API_STACK = 150;

/** Routes each nested stack holds unless the API says otherwise. */
export const DEFAULT_ROUTES_PER_NESTED_STACK = 100;

/** Prefix of the nested stacks' construct ids: `Routes1`, `Routes2`, ... */
const NESTED_STACK_ID_PREFIX = 'Routes';

/** How many routes go where. */
export interface RoutePlacementCapacity {
  /** Routes in the API's own stack, the first ones added. */
  readonly routesInApiStack: number;
  /** Routes in each nested stack after them. */
  readonly routesPerNestedStack: number;
}

/**
 * Places routes, by their index in the order of addition, and creates their methods, path resources
 * and models in the stack each belongs to.
 *
 * - The API's own stack keeps aws-cdk-lib's construct tree (`api.root.resourceForPath`), so an API
 *   that fits in one stack has the construct ids it always had.
 * - In a nested stack, a path is created by the first route that needs it, in that route's stack;
 *   a later route on the same path, in another stack, refers to the existing resource (CloudFormation
 *   passes its id in a parameter), never creates it twice. Constructs there have flat ids made of the
 *   method and path, which do not depend on the order of addition.
 * - Every method and path keeps the API itself as its `api`: the API's one deployment hashes each of
 *   them into its logical id (so any change redeploys) and depends on the nested stacks that hold them
 *   (so it is created after their methods); the stage stays in the API's stack.
 */
export class RoutePlacement {
  private readonly nestedStacks: NestedStack[] = [];

  constructor(
    private readonly owner: Construct,
    private readonly api: apigw.RestApi,
    private readonly capacity: RoutePlacementCapacity,
  ) {}

  /** The nested stacks created so far, in order. */
  public get stacks(): readonly NestedStack[] {
    return this.nestedStacks;
  }

  /**
   * The nested stack of the route with this index (0 for the first route added), created if need be;
   * `undefined` for the API's own stack.
   */
  public stackFor(index: number): NestedStack | undefined {
    const { routesInApiStack, routesPerNestedStack } = this.capacity;
    if (index < routesInApiStack) {
      return undefined;
    }
    const n = Math.floor((index - routesInApiStack) / routesPerNestedStack);
    while (this.nestedStacks.length <= n) {
      const first = routesInApiStack + this.nestedStacks.length * routesPerNestedStack + 1;
      this.nestedStacks.push(new NestedStack(this.owner, `${NESTED_STACK_ID_PREFIX}${this.nestedStacks.length + 1}`, {
        description: `Routes ${first} to ${first + routesPerNestedStack - 1} of the REST API ${this.owner.node.path}`,
      }));
    }
    return this.nestedStacks[n];
  }

  /** Adds the route's method in `stack` (the API's own when undefined), creating missing path resources there. */
  public addMethod(stack: NestedStack | undefined, route: ParsedRoute, integration: apigw.Integration, options: apigw.MethodOptions): apigw.Method {
    if (stack === undefined) {
      return this.api.root.resourceForPath(route.path).addMethod(route.method, integration, options);
    }
    let resource: apigw.IResource = this.api.root;
    const parts = route.segments.map((segment) => segment.text);
    parts.forEach((part, index) => {
      resource = resource.getResource(part) ?? new apigw.Resource(stack, `Path ${pathId(parts.slice(0, index + 1))}`, {
        parent: resource,
        pathPart: part,
      });
    });
    return new apigw.Method(stack, `${route.method} ${pathId(parts)}`, { resource, httpMethod: route.method, integration, options });
  }

  /**
   * Adds a request model in `stack` (the API's own when undefined), under `id` or, when another
   * model there has it, `id2`, `id3`, ...
   */
  public addModel(stack: NestedStack | undefined, id: string, options: apigw.ModelOptions): apigw.Model {
    const container: Construct = stack ?? this.api;
    let unique = id;
    for (let n = 2; container.node.tryFindChild(unique); n++) {
      unique = `${id}${n}`;
    }
    return stack === undefined ? this.api.addModel(unique, options) : new apigw.Model(stack, unique, { restApi: this.api, ...options });
  }
}

/**
 * A path as part of a construct id: its segments joined with `~` (which no path segment contains,
 * so two paths never share an id), `~` alone for the root.
 */
function pathId(segments: readonly string[]): string {
  return `~${segments.join('~')}`;
}
