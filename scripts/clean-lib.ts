/**
 * Removes the previous compile of the library before jsii runs (`npm run build:lib`), so a module
 * renamed or deleted in lib/ leaves no stale file in dist/ for `npm pack` to ship. The handlers'
 * bundles (dist/handlers) are not touched.
 */
import { rmSync } from 'node:fs';
import * as path from 'node:path';

const DIST = path.join(__dirname, '..', 'dist');
for (const stale of ['lib', 'lambda', 'tsconfig.tsbuildinfo']) {
  rmSync(path.join(DIST, stale), { recursive: true, force: true });
}
