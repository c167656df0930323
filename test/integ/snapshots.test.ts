/**
 * The integ tests' committed snapshots are current: a fresh synth, made as integ-runner makes it,
 * gives the templates the snapshots hold (see integ-snapshot.ts for why this does not run
 * integ-runner itself). A failure means a change to the library or to an integ test changes what
 * would be deployed: review the change, then update the snapshots with
 * `npx tsx test/integ/integ-snapshot.ts` and review their diff.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SNAPSHOTTED_INTEG_TESTS, snapshotDifferences, snapshotDir } from './integ-snapshot';

/** Each snapshot synthesizes its app with every asset bundled. */
const SYNTH_TIMEOUT_MS = 120_000;

test('every integ test file has a snapshot, but the failover drill, which is built from a real deployment\'s context', () => {
  const integFiles = fs.readdirSync(__dirname).filter((name) => /^integ\..+\.ts$/.test(name)).sort();
  expect(integFiles).toEqual([...Object.keys(SNAPSHOTTED_INTEG_TESTS), 'integ.failover-drill.ts'].sort());
  for (const file of Object.keys(SNAPSHOTTED_INTEG_TESTS)) {
    expect(fs.existsSync(path.join(snapshotDir(file), 'integ.json'))).toBe(true);
  }
  expect(fs.existsSync(snapshotDir('integ.failover-drill.ts'))).toBe(false);
});

test.each(Object.keys(SNAPSHOTTED_INTEG_TESTS))('the snapshot of %s is current', (file) => {
  expect(snapshotDifferences(file)).toEqual([]);
}, SYNTH_TIMEOUT_MS);

test('a stale snapshot is reported, by template and line', () => {
  const stale = fs.mkdtempSync(path.join(os.tmpdir(), 'stale-snapshot-'));
  try {
    fs.cpSync(snapshotDir('integ.secure-api.ts'), stale, { recursive: true });
    const templateFile = path.join(stale, 'SecureApiInteg.template.json');
    const template = JSON.parse(fs.readFileSync(templateFile, 'utf8'));
    const [backend] = Object.entries<{ Type: string; Properties: Record<string, unknown> }>(template.Resources)
      .find(([id, resource]) => id.startsWith('Backend') && resource.Type === 'AWS::Lambda::Function')!;
    template.Resources[backend].Properties.Timeout = 30;
    fs.writeFileSync(templateFile, JSON.stringify(template, undefined, 1));
    expect(snapshotDifferences('integ.secure-api.ts', stale)).toEqual([expect.stringMatching(/^integ\.secure-api\.ts: SecureApiInteg\.template\.json changed at line \d+: /)]);
  } finally {
    fs.rmSync(stale, { recursive: true, force: true });
  }
}, SYNTH_TIMEOUT_MS);
