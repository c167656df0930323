/**
 * The truststore checks against real certificates, made by OpenSSL in a temporary folder.
 */
import { X509Certificate } from 'node:crypto';
import { truststoreCertificateProblems } from '../../../lib/private/truststore-certificates';
import { opensslCertificate } from '../../helpers/certificates';

const signatureAlgorithmExposed = 'signatureAlgorithm' in X509Certificate.prototype;

describe('truststore certificate checks', () => {
  const rsa2048 = opensslCertificate(['rsa:2048']);
  const p384 = opensslCertificate(['ec', '-pkeyopt', 'ec_paramgen_curve:P-384']);

  test('a bundle of good CA certificates (RSA 2048, P-256, P-384) has no problem', () => {
    const p256 = opensslCertificate(['ec', '-pkeyopt', 'ec_paramgen_curve:P-256']);
    expect(truststoreCertificateProblems(`${rsa2048}\n${p256}\n${p384}`)).toEqual([]);
  });

  test('a file without certificates, and a block that does not parse', () => {
    expect(truststoreCertificateProblems('not a certificate')).toEqual(['holds no PEM certificate (-----BEGIN CERTIFICATE-----): API Gateway refuses an empty truststore']);
    const broken = '-----BEGIN CERTIFICATE-----\nTUlJQg==\n-----END CERTIFICATE-----';
    expect(truststoreCertificateProblems(`${rsa2048}${broken}`)).toEqual([expect.stringMatching(/^certificate 2 cannot be parsed \(.+\): API Gateway refuses the truststore$/)]);
  });

  test('expired, and not yet valid', () => {
    const validTo = new Date(new X509Certificate(rsa2048).validTo);
    const later = new Date(validTo.getTime() + 86_400_000);
    expect(truststoreCertificateProblems(rsa2048, later)).toEqual([`certificate 1 (CN=cert-1) expired on ${validTo.toISOString()}: API Gateway refuses an expired certificate; replace it`]);
    const validFrom = new Date(new X509Certificate(rsa2048).validFrom);
    expect(truststoreCertificateProblems(rsa2048, new Date(validFrom.getTime() - 86_400_000)))
      .toEqual([`certificate 1 (CN=cert-1) is not valid before ${validFrom.toISOString()}: API Gateway refuses it until then`]);
  });

  test('not a CA', () => {
    expect(truststoreCertificateProblems(opensslCertificate(['ec', '-pkeyopt', 'ec_paramgen_curve:P-256'], { ca: false })))
      .toEqual([expect.stringContaining('is not a CA certificate (basicConstraints CA:TRUE): a truststore holds the CAs that issue client certificates')]);
  });

  test('an RSA key below 2048 bits', () => {
    expect(truststoreCertificateProblems(opensslCertificate(['rsa:1024'])))
      .toEqual([expect.stringMatching(/^certificate 1 \(CN=cert-\d+\) has an RSA key of 1024 bits: API Gateway accepts RSA keys of 2048 bits or more$/)]);
  });

  test('an EC curve other than P-256 and P-384', () => {
    expect(truststoreCertificateProblems(opensslCertificate(['ec', '-pkeyopt', 'ec_paramgen_curve:secp521r1'])))
      .toEqual([expect.stringContaining('has an EC key on the curve secp521r1: API Gateway accepts only P-256 and P-384')]);
  });

  test('an Ed25519 key', () => {
    expect(truststoreCertificateProblems(opensslCertificate(['ed25519'], { digest: '-sha256' }).replace(/\r/g, '')))
      .toEqual([expect.stringContaining('has a key of type ed25519: API Gateway accepts only RSA (2048 bits or more) and EC (P-256, P-384) keys')]);
  });

  (signatureAlgorithmExposed ? test : test.skip)('a SHA-1 signature (Node.js 24.9 and later expose the algorithm)', () => {
    expect(truststoreCertificateProblems(opensslCertificate(['rsa:2048'], { digest: '-sha1' })))
      .toEqual([expect.stringContaining('API Gateway refuses SHA-1 and MD5 signatures')]);
  });
});
