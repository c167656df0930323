/** Certificates made by OpenSSL for tests, in a temporary folder. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const dir = mkdtempSync(path.join(tmpdir(), 'truststore-'));
let serial = 0;

/** A self-signed certificate (PEM) from `openssl req -x509`, with the given key options, valid for 30 days from now. */
export function opensslCertificate(keyOptions: string[], { ca = true, digest = '-sha256' }: { ca?: boolean; digest?: string } = {}): string {
  const name = `cert-${++serial}`;
  const out = path.join(dir, `${name}.pem`);
  execFileSync('openssl', [
    'req', '-x509', '-newkey', ...keyOptions, '-nodes', '-keyout', path.join(dir, `${name}.key`), '-out', out,
    '-days', '30', digest, '-subj', `/CN=${name}`, '-addext', `basicConstraints=critical,CA:${ca ? 'TRUE' : 'FALSE'}`,
  ], { stdio: 'pipe' });
  return readFileSync(out, 'utf8');
}

/** Writes `pem` to a file of the temporary folder and returns its path. */
export function pemFile(pem: string): string {
  const file = path.join(dir, `bundle-${++serial}.pem`);
  writeFileSync(file, pem);
  return file;
}
