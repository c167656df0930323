import { INVOKE_ACTION, JwtPlanRoute, JwtPolicyPlan } from '../constants';

/**
 * The JWT authorizer's policy builder at run time: it assembles each caller's policy from a
 * {@link JwtPolicyPlan} alone, which `compilePolicyPlan` (policy.ts) worked out at synth. What the
 * policy is, and why, is told in policy.ts. This module imports no other of the route model: the
 * handler bundles it without route parsing, glob matching or the reach search.
 */

/** What a caller holds: whole values, compared case-sensitively. */
export interface Permissions {
  readonly scopes: ReadonlySet<string>;
  readonly groups: ReadonlySet<string>;
}

/** The policy for one caller, and what it decided. */
export interface CallerPolicy {
  readonly policyDocument: {
    readonly Version: '2012-10-17';
    readonly Statement: ReadonlyArray<{ readonly Action: typeof INVOKE_ACTION; readonly Effect: 'Allow' | 'Deny'; readonly Resource: string[] }>;
  };
  /** Keys of the routes the caller may call. */
  readonly allowed: readonly string[];
  /**
   * Keys of routes the caller may call but that a Deny for another route also matches, so API
   * Gateway refuses them. Only route tables with overlapping wildcards produce these.
   */
  readonly shadowed: readonly string[];
}

/** What a policy decided for one permission signature, before the ARN prefix is added. */
interface Decision {
  readonly allowed: readonly string[];
  readonly shadowed: readonly string[];
  readonly allow: readonly string[];
  readonly deny: readonly string[];
  /** The policy documents built so far, by ARN prefix (one per API stage, in practice one). */
  readonly documents: Map<string, CallerPolicy>;
}

/** Most permission signatures whose policies are kept; past it, the cache starts again. */
const MAX_CACHED_SIGNATURES = 1_000;

/** A policy per permission signature, assembled from a compiled plan and cached. */
export class PolicyPlanner {
  readonly #plan: JwtPolicyPlan;
  /** The index of each scope and group name in the plan: no other name changes a decision. */
  readonly #scopes: ReadonlyMap<string, number>;
  readonly #groups: ReadonlyMap<string, number>;
  readonly #decisions = new Map<string, Decision>();

  /** `plan` as `compilePolicyPlan` made it (the handler checks it first: see its settings). */
  constructor(plan: JwtPolicyPlan) {
    this.#plan = plan;
    this.#scopes = new Map(plan.scopes.map((name, i) => [name, i]));
    this.#groups = new Map(plan.groups.map((name, i) => [name, i]));
  }

  /**
   * The policy for a caller with `permissions`, its resources under `prefix`: the execute-api ARN
   * of the API's stage up to the method, `arn:<partition>:execute-api:<region>:<account>:<api-id>/<stage>/`.
   */
  public policyForPrefix(prefix: string, permissions: Permissions): CallerPolicy {
    // The caller's scopes and groups that some route names, as sorted indexes: callers with the
    // same ones get the same policy. Walks what the caller holds, not every name of the table.
    const held = (have: ReadonlySet<string>, index: ReadonlyMap<string, number>): number[] => {
      const known: number[] = [];
      for (const name of have) {
        const i = index.get(name);
        if (i !== undefined) {
          known.push(i);
        }
      }
      return known.sort((a, b) => a - b);
    };
    const scopes = held(permissions.scopes, this.#scopes);
    const groups = held(permissions.groups, this.#groups);
    const signature = `${scopes}|${groups}`;
    let decision = this.#decisions.get(signature);
    if (!decision) {
      if (this.#decisions.size >= MAX_CACHED_SIGNATURES) {
        this.#decisions.clear();
      }
      const [inScopes, inGroups] = [new Set(scopes), new Set(groups)];
      decision = this.#decide(this.#plan.routes.map(([, , need, in_]) => (need.length === 0 || need.some((i) => inScopes.has(i)))
        && (in_.length === 0 || in_.some((i) => inGroups.has(i)))));
      this.#decisions.set(signature, decision);
    }
    let policy = decision.documents.get(prefix);
    if (!policy) {
      const statement = (effect: 'Allow' | 'Deny', patterns: readonly string[]) =>
        ({ Action: INVOKE_ACTION as typeof INVOKE_ACTION, Effect: effect, Resource: patterns.map((pattern) => `${prefix}${pattern}`) });
      const statements = decision.allow.length === 0
        ? [statement('Deny', ['*'])]
        : [statement('Allow', decision.allow), ...(decision.deny.length > 0 ? [statement('Deny', decision.deny)] : [])];
      policy = { policyDocument: { Version: '2012-10-17', Statement: statements }, allowed: decision.allowed, shadowed: decision.shadowed };
      decision.documents.set(prefix, policy);
    }
    return policy;
  }

  #decide(permitted: readonly boolean[]): Decision {
    const plan = this.#plan;
    const pattern = (i: number) => plan.routes[i][1];
    const allowed = plan.routes.map((_route, i) => i).filter((i) => permitted[i]);
    const anyPermitted = (routes: readonly number[]) => routes.some((j) => permitted[j]);
    const deny: string[] = [];
    const shadowed = new Set<number>();
    for (let i = 0; i < plan.routes.length; i++) {
      if (permitted[i]) {
        continue;
      }
      const reachers = plan.reachers[i];
      if (!anyPermitted(reachers)) {
        continue;
      }
      // The route's own pattern, if it refuses no allowed route; else, for each allowed reacher,
      // its first narrowing that refuses no allowed route; else (fail closed) the route's own
      // pattern, and the allowed routes it refuses are shadowed.
      const hits = plan.ownDenyHits[i].filter((j) => permitted[j]);
      if (hits.length === 0) {
        deny.push(pattern(i));
        continue;
      }
      const narrowed: string[] = [];
      for (let r = 0; r < reachers.length; r++) {
        const j = reachers[r];
        if (!permitted[j]) {
          continue;
        }
        const fit = plan.narrowings[i][r].find(([, refuses]) => !anyPermitted(refuses));
        if (!fit) {
          hits.forEach((hit) => shadowed.add(hit));
          narrowed.length = 0;
          narrowed.push(pattern(i));
          break;
        }
        narrowed.push(...narrowingOf(pattern(j), fit[0]));
      }
      deny.push(...narrowed);
    }
    // Fail closed below parameterised routes: unless the caller may call a route below, the paths below are denied.
    for (const i of allowed) {
      const hits = plan.belowDenyHits[i];
      if (hits && !anyPermitted(hits)) {
        deny.push(`${pattern(i)}/*`);
      }
    }
    return {
      allowed: allowed.map((i) => keyOf(plan.routes[i])),
      shadowed: allowed.filter((i) => shadowed.has(i)).map((i) => keyOf(plan.routes[i])),
      allow: withoutContained(this.#group(allowed, permitted)),
      deny: withoutContained(unique(deny.flatMap(withTrailingSlash))),
      documents: new Map(),
    };
  }

  /**
   * The Allow patterns: each allowed route's own pattern (less those another allowed pattern
   * contains, later), where possible several of them replaced by one group pattern of one method
   * (`GET/orders/*`) that reaches no route but ones the caller may call. Shallower groups are tried
   * first; a group is used when it stands for at least two routes no shallower group stands for.
   * Which groups are candidates, and why, is told in policy.ts.
   */
  #group(allowed: readonly number[], permitted: readonly boolean[]): string[] {
    const plan = this.#plan;
    const standsFor = new Map<number, string>();
    for (const [depth, members, reach] of plan.groupCandidates) {
      const fresh = members.filter((i) => !standsFor.has(i));
      if (fresh.length < 2 || !members.every((i) => permitted[i]) || !reach.every((i) => permitted[i])) {
        continue;
      }
      const group = groupPattern(plan.routes[members[0]][1], depth);
      fresh.forEach((i) => standsFor.set(i, group));
    }
    return unique(allowed.map((i) => standsFor.get(i) ?? plan.routes[i][1]));
  }
}

/** A route's canonical key, `GET /pets/{petId}`: the method of its ARN pattern (`*` is `ANY`) and its path. */
function keyOf([path, arnPattern]: JwtPlanRoute): string {
  const method = arnPattern.slice(0, arnPattern.indexOf('/'));
  return `${method === '*' ? 'ANY' : method} ${path}`;
}

/**
 * A group's pattern: the method and the first `depth` path segments of a member's ARN pattern,
 * then `/*` (`GET/orders/*` for `GET/orders/*` + `/items` at depth 1).
 */
export function groupPattern(arnPattern: string, depth: number): string {
  return `${arnPattern.split('/', depth + 1).join('/')}/*`;
}

/**
 * Narrower Deny patterns for what an allowed pattern over-reaches with, in the order they are
 * tried: deeper paths (`GET/pets/*` + `/*`), the trailing slash of a parameter route (`GET/pets/`),
 * or both. Only patterns ending in `/*` have the last two.
 */
export function narrowingsOf(pattern: string): string[][] {
  const deeper = pattern.endsWith('/') ? `${pattern}*` : `${pattern}/*`;
  if (!pattern.endsWith('/*')) {
    return [[deeper]];
  }
  const bare = pattern.slice(0, -1);
  return [[deeper], [bare], [deeper, bare]];
}

/** The narrowing `index` of `pattern` (see {@link narrowingsOf}). */
function narrowingOf(pattern: string, index: number): string[] {
  return narrowingsOf(pattern)[index];
}

/** A pattern, and its form with a trailing slash when a request can add one that it does not match. */
export function withTrailingSlash(pattern: string): string[] {
  return pattern.endsWith('*') || pattern.endsWith('/') ? [pattern] : [pattern, `${pattern}/`];
}

/**
 * `patterns` less those another of them contains: a pattern `<base>*` contains every pattern that
 * starts with `<base>` (`GET/pets/*` + `/*` contains `GET/pets/*` + `/admin`), and `*` + `<path>*`
 * every method's pattern whose path starts with `<path>`.
 */
function withoutContained(patterns: readonly string[]): string[] {
  const wide = patterns.filter((pattern) => pattern.endsWith('/*'));
  const contains = (outer: string, inner: string): boolean => {
    const base = outer.slice(0, -1);
    return outer.startsWith('*/') ? inner.slice(inner.indexOf('/')).startsWith(base.slice(1)) : inner.startsWith(base);
  };
  return patterns.filter((pattern) => !wide.some((outer) => outer !== pattern && contains(outer, pattern)));
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}
