import type { JwtRouteSettings } from '../../lambda/shared/constants';

/**
 * Route tables shared by the authorizer's tests and `npm run bench`, so that a figure and the test
 * of the same table cannot drift apart.
 */

/**
 * 61 routes: ten resources of six routes each, read and write scopes of their own, admin routes by
 * group, and an admins-only catch-all `ANY /{proxy+}` (bench figure e).
 */
export function table61(): JwtRouteSettings[] {
  const routes: JwtRouteSettings[] = [['ANY', '/{proxy+}', [], ['admins']]];
  for (let i = 0; i < 10; i++) {
    routes.push(
      ['GET', `/r${i}`, [`r${i}/read`], []],
      ['POST', `/r${i}`, [`r${i}/write`], []],
      ['GET', `/r${i}/{id}`, [`r${i}/read`], []],
      ['PUT', `/r${i}/{id}`, [`r${i}/write`], []],
      ['DELETE', `/r${i}/{id}`, [`r${i}/write`], ['admins']],
      ['GET', `/r${i}/{id}/admin`, [], ['admins']],
    );
  }
  return routes;
}

/**
 * A route table of `count` routes like a large API's: top-level resources of 10 routes each, with
 * nested parameters, reads and writes by scope (half the resources share `pets/read` and
 * `pets/write`, the others have their own), admin routes by group, and one route of another
 * authorization per resource; past 100 resources, they nest under `/v<n>/` (bench figure f).
 */
export function generatedRoutes(count: number): JwtRouteSettings[] {
  const routes: JwtRouteSettings[] = [];
  for (let i = 0; routes.length < count; i++) {
    const base = i < 100 ? `/r${i}` : `/v${Math.floor(i / 100)}/r${i % 100}`;
    const [read, write] = i % 2 === 0 ? ['pets/read', 'pets/write'] : [`r${i}/read`, `r${i}/write`];
    const resource: JwtRouteSettings[] = [
      ['GET', base, [read], []],
      ['POST', base, [write], []],
      ['GET', `${base}/{id}`, [read], []],
      ['PUT', `${base}/{id}`, [write], []],
      ['DELETE', `${base}/{id}`, [write], ['admins']],
      ['GET', `${base}/{id}/items`, [read], []],
      ['GET', `${base}/{id}/items/{itemId}`, [read], []],
      ['GET', `${base}/{id}/admin`, [], ['admins']],
      ['GET', `${base}/search`, [read], []],
      ['GET', `${base}/health`],
    ];
    routes.push(...resource.slice(0, count - routes.length));
  }
  return routes;
}
