import * as fs from 'node:fs';
import * as path from 'node:path';
import { NestedStack, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LambdaRouteIntegration, RouteAuthorization, SecureRestApi } from '../lib';
import { BENCH_ENV, TemplateResources, countByType, withApp } from './common';

/** Which backend a route integrates with. */
type Target =
  /** The first function, through the integration object the other routes share. */
  | 'shared'
  /** The first function again, through a new integration object. */
  | 'sameFunctionNewIntegration'
  /** A second function that no other route uses yet (it exists in both stacks compared). */
  | 'secondFunction';

interface RouteSpec {
  readonly key: string;
  readonly target: Target;
}

/** One way of adding a route to an API that has {@link BASE_ROUTES}. */
export interface Shape {
  readonly name: string;
  readonly added: RouteSpec;
  /** Whether the route reaches a function that already has a route (so needs no new permission). */
  readonly sameFunction: boolean;
}

/** The k routes every API starts with. */
const BASE_ROUTES: readonly RouteSpec[] = [
  { key: 'GET /health', target: 'shared' },
  { key: 'GET /items', target: 'shared' },
  { key: 'GET /items/{itemId}', target: 'shared' },
];

export const SHAPES: readonly Shape[] = [
  { name: 'method on existing path', added: { key: 'DELETE /items/{itemId}', target: 'shared' }, sameFunction: true },
  { name: 'new path segment', added: { key: 'GET /orders', target: 'shared' }, sameFunction: true },
  { name: 'same fn, new integration', added: { key: 'DELETE /items', target: 'sameFunctionNewIntegration' }, sameFunction: true },
  // On an existing path, to isolate what a new function costs the API: one permission, once (and,
  // in the library, the function's errors and throttles alarms, reported apart from the target).
  { name: 'first route to 2nd fn', added: { key: 'HEAD /items/{itemId}', target: 'secondFunction' }, sameFunction: false },
];

/**
 * The ways of building the API: the library with every route in the API's stack, the library with
 * every route in a nested stack (`routesInApiStack: 0`, how routes past the first 150 are placed),
 * and a plain RestApi.
 */
export type Flavor = 'library' | 'nested' | 'plain';

/**
 * CloudWatch alarm types, counted apart from a route's other resources: `SecureRestApi` watches
 * every function behind the API (an errors and a throttles alarm), so the first route to a function
 * adds its alarms. They are monitoring, which the plain side has none of, not the route's plumbing.
 */
const ALARM_TYPES: ReadonlySet<string> = new Set(['AWS::CloudWatch::Alarm', 'AWS::CloudWatch::CompositeAlarm']);

/** Resources added by one route, by CloudFormation type, with CloudWatch alarms counted apart. */
export interface RouteCost {
  /** Resources added, CloudWatch alarms not included: what the per-route target counts. */
  readonly total: number;
  /** CloudWatch alarms added (see {@link ALARM_TYPES}). */
  readonly alarms: number;
  /** What {@link total} counts, by type. */
  readonly byType: ReadonlyMap<string, number>;
}

export interface ShapeResult {
  readonly shape: Shape;
  readonly k: number;
  readonly library: RouteCost;
  /** The library, the routes in a nested stack: resources of every stack counted. */
  readonly nested: RouteCost;
  readonly plain: RouteCost;
}

/** A small inline function: the function itself is not what is measured. */
function inlineFunction(stack: Stack, id: string): lambda.Function {
  return new lambda.Function(stack, id, {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200, body: "{}" });'),
  });
}

/** Synthesizes a fresh stack with an API holding `routes`, and counts its resources (and its nested stacks') by type. */
function synthesize(flavor: Flavor, routes: readonly RouteSpec[]): Map<string, number> {
  return withApp((app) => {
    const stack = new Stack(app, 'RouteCost', { env: BENCH_ENV });
    // Both functions exist in every variant, so a delta counts the route, not the function.
    const first = inlineFunction(stack, 'First');
    const second = inlineFunction(stack, 'Second');
    const Integration = flavor === 'plain' ? apigw.LambdaIntegration : LambdaRouteIntegration;
    const shared = new Integration(first);
    const integrationFor = (target: Target): apigw.Integration =>
      target === 'shared' ? shared : new Integration(target === 'secondFunction' ? second : first);

    if (flavor !== 'plain') {
      const api = new SecureRestApi(stack, 'Api', { routesInApiStack: flavor === 'nested' ? 0 : undefined });
      for (const route of routes) {
        api.addRoute(route.key, { authorization: RouteAuthorization.iam(), integration: integrationFor(route.target) });
      }
    } else {
      const api = new apigw.RestApi(stack, 'Api');
      for (const route of routes) {
        const [method, path] = route.key.split(' ');
        api.root.resourceForPath(path).addMethod(method, integrationFor(route.target), { authorizationType: apigw.AuthorizationType.IAM });
      }
    }
    const assembly = app.synth();
    const counts = countByType(assembly.getStackByName(stack.stackName).template);
    for (const nested of stack.node.findAll().filter((c): c is NestedStack => NestedStack.isNestedStack(c))) {
      const template: TemplateResources = JSON.parse(fs.readFileSync(path.join(assembly.directory, nested.templateFile), 'utf8'));
      countByType(template).forEach((n, type) => counts.set(type, (counts.get(type) ?? 0) + n));
    }
    return counts;
  });
}

/** What the k+1st route added, by type (types whose count did not change are left out). */
function difference(before: ReadonlyMap<string, number>, after: ReadonlyMap<string, number>): RouteCost {
  const byType = new Map<string, number>();
  let alarms = 0;
  for (const type of new Set([...before.keys(), ...after.keys()])) {
    const delta = (after.get(type) ?? 0) - (before.get(type) ?? 0);
    if (ALARM_TYPES.has(type)) {
      alarms += delta;
    } else if (delta !== 0) {
      byType.set(type, delta);
    }
  }
  return { total: [...byType.values()].reduce((a, b) => a + b, 0), alarms, byType };
}

/** For each shape and flavor: resources of the API with k+1 routes minus those with k routes. */
export function measureRouteCost(): ShapeResult[] {
  return SHAPES.map((shape) => {
    const cost = (flavor: Flavor) => difference(synthesize(flavor, BASE_ROUTES), synthesize(flavor, [...BASE_ROUTES, shape.added]));
    return { shape, k: BASE_ROUTES.length, library: cost('library'), nested: cost('nested'), plain: cost('plain') };
  });
}

/** ` (+2 alarms)` after a count when the route added alarms; empty otherwise. */
export function formatAlarms(cost: RouteCost): string {
  return cost.alarms === 0 ? '' : ` (${cost.alarms > 0 ? '+' : ''}${cost.alarms} alarm${Math.abs(cost.alarms) === 1 ? '' : 's'})`;
}

/** `Method +1, Resource +1` (alarms left out): the CloudFormation type without the `AWS::<service>::` prefix. */
export function formatByType(cost: RouteCost): string {
  return [...cost.byType].map(([type, n]) => `${type.split('::').pop()} ${n > 0 ? '+' : ''}${n}`).join(', ') || 'none';
}
