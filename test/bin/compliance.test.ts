/**
 * The example app passes cdk-nag's five packs in every environment (`cdk synth` runs them: see
 * bin/app.ts): nothing is left, and every finding set aside was acknowledged with a reason, by the
 * library (its catalogue, listed in the README) or by the example, for its own choices.
 */
import { App } from 'aws-cdk-lib';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { buildApp } from '../../bin/app';
import { NAG_ACKNOWLEDGEMENTS } from '../../lib/private/nag';
import { NagResult, synthWithNag } from '../helpers/nag';
import { CDK_JSON_CONTEXT, SKIP_BUNDLING } from '../helpers/stack';

const STACKS = ['SecureApi-dev', 'SecureApi-staging', 'SecureApi-prod-eu-west-1', 'SecureApi-prod-eu-central-1', 'SecureApi-prod-dns'];
const PACKS = ['AwsSolutions', 'NIST.800.53.R5', 'PCI.DSS.321', 'HIPAA.Security', 'Serverless'];

/** The example's own acknowledgements (bin/example-api-stack.ts): its choices, not the library's. */
const EXAMPLE_CHOICES: Record<string, string[]> = {
  'PetsBackend/Resource': [
    'NIST.800.53.R5-LambdaDLQ', 'HIPAA.Security-LambdaDLQ', 'Serverless-LambdaDLQ',
    'NIST.800.53.R5-LambdaInsideVPC', 'PCI.DSS.321-LambdaInsideVPC', 'HIPAA.Security-LambdaInsideVPC',
    'NIST.800.53.R5-LambdaConcurrency', 'HIPAA.Security-LambdaConcurrency',
  ],
  'PetWriterRole/DefaultPolicy/Resource': ['NIST.800.53.R5-IAMNoInlinePolicy', 'PCI.DSS.321-IAMNoInlinePolicy', 'HIPAA.Security-IAMNoInlinePolicy'],
  'PetsBackendServiceRole/DefaultPolicy/Resource': ['NIST.800.53.R5-IAMNoInlinePolicy', 'PCI.DSS.321-IAMNoInlinePolicy', 'HIPAA.Security-IAMNoInlinePolicy'],
  'Users/Resource/Resource': ['AwsSolutions-COG2', 'AwsSolutions-COG8'],
};

describe('the example app under cdk-nag', () => {
  let result: NagResult;
  beforeAll(() => {
    result = synthWithNag((outdir) => buildApp(new App({ outdir, context: { ...CDK_JSON_CONTEXT, ...SKIP_BUNDLING } })));
  }, 60_000);

  test('every pack passes every stack: no finding is left', () => {
    expect(result.violations).toEqual([]);
    expect(result.conclusions).toEqual(Object.fromEntries(PACKS.map((pack) => [pack, 'success'])));
  });

  test('each acknowledged finding is the library\'s (catalogued, with its reason) or one of the example\'s own choices', () => {
    const library = new Set<string>(Object.values(NAG_ACKNOWLEDGEMENTS).flatMap((acknowledgement) => acknowledgement.rules));
    const unexplained = result.suppressed.filter((finding) => {
      const below = finding.path.split('/').slice(1).join('/');
      return !library.has(finding.rule) && !(EXAMPLE_CHOICES[below] ?? []).includes(finding.rule);
    });
    expect(unexplained).toEqual([]);
  });

  test('the example chose MFA and threat protection off only in dev: COG2 and COG8 are acknowledged there alone', () => {
    const cognito = result.suppressed.filter((finding) => finding.rule === 'AwsSolutions-COG2' || finding.rule === 'AwsSolutions-COG8');
    expect(cognito.map((finding) => `${finding.rule} ${finding.path}`).sort()).toEqual([
      'AwsSolutions-COG2 SecureApi-dev/Users/Resource/Resource',
      'AwsSolutions-COG8 SecureApi-dev/Users/Resource/Resource',
    ]);
  });

  test('the pets catalogue needs a pets/read token as well as a key: no route relies on an API key alone', () => {
    expect(result.suppressed.filter((finding) => finding.rule === 'AwsSolutions-APIG4').map((finding) => finding.path.split('/').slice(1).join('/')))
      .toEqual(STACKS.slice(0, 4).map(() => 'PetsApi/Resource/Default/health/GET/Resource'));
  });

  test('the README\'s figures: per pack, no finding left and the acknowledged ones per stack', () => {
    const readme = readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
    const names: Record<string, string> = { 'AwsSolutions': 'AwsSolutions', 'NIST.800.53.R5': 'NIST 800-53 rev 5', 'PCI.DSS.321': 'PCI DSS 3.2.1', 'HIPAA.Security': 'HIPAA Security', 'Serverless': 'Serverless' };
    for (const pack of PACKS) {
      const acknowledged = STACKS.map((stack) => result.suppressed.filter((finding) => finding.pack === pack && finding.path.startsWith(`${stack}/`)).length);
      expect(acknowledged.some((count) => count > 0)).toBe(true);
      expect(readme).toMatch(new RegExp(`^\\| ${names[pack]} \\| [^|]+ \\| 0 \\| ${acknowledged.join(' / ')} \\|$`, 'm'));
    }
  });
});

test('the README\'s table of the library\'s acknowledgements has a row for every finding it acknowledges', () => {
  const readme = readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Compliance: cdk-nag'), readme.indexOf('\n## ', readme.indexOf('## Compliance: cdk-nag') + 1));
  const rows = section.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| Findings') && !line.startsWith('| Pack'));
  const named = new Set(rows.flatMap((row) => [...row.split(' | ')[0].matchAll(/`([^`]+)`/g)].map((match) => match[1])));
  for (const acknowledgement of Object.values(NAG_ACKNOWLEDGEMENTS)) {
    for (const rule of acknowledgement.rules) {
      // "the same three" in a row stands for the row above's findings.
      expect({ rule, listed: named.has(rule) }).toEqual({ rule, listed: true });
    }
  }
  expect(rows.length).toBeGreaterThanOrEqual(Object.keys(NAG_ACKNOWLEDGEMENTS).length - 1);
});
