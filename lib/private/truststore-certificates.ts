import { X509Certificate } from 'node:crypto';

/** The PEM blocks of certificates in a truststore file. */
const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** The curves API Gateway accepts in a truststore's certificates: P-256 and P-384 (OpenSSL's names). */
const ACCEPTED_CURVES: Readonly<Record<string, string>> = { prime256v1: 'P-256', secp384r1: 'P-384' };

/** The smallest RSA key API Gateway accepts. */
const MIN_RSA_BITS = 2048;

/**
 * Why API Gateway would refuse (or a client would fail against) each certificate of a PEM
 * truststore, as sentences: unparseable, outside its validity, not a CA, a weak key, or a SHA-1 or
 * MD5 signature (when Node.js exposes the signature algorithm, from v24.9). Parsed with Node.js's
 * own `X509Certificate`.
 */
export function truststoreCertificateProblems(pem: string, now: Date = new Date()): string[] {
  const blocks = pem.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) {
    return ['holds no PEM certificate (-----BEGIN CERTIFICATE-----): API Gateway refuses an empty truststore'];
  }
  return blocks.flatMap((block, index) => {
    let certificate: X509Certificate;
    try {
      certificate = new X509Certificate(block);
    } catch (error) {
      return [`certificate ${index + 1} cannot be parsed (${(error as Error).message}): API Gateway refuses the truststore`];
    }
    const name = `certificate ${index + 1} (${certificate.subject.replace(/\n/g, ', ')})`;
    return certificateProblems(certificate, now).map((problem) => `${name} ${problem}`);
  });
}

function certificateProblems(certificate: X509Certificate, now: Date): string[] {
  const problems: string[] = [];
  const validFrom = new Date(certificate.validFrom);
  const validTo = new Date(certificate.validTo);
  if (validTo.getTime() < now.getTime()) {
    problems.push(`expired on ${validTo.toISOString()}: API Gateway refuses an expired certificate; replace it`);
  }
  if (validFrom.getTime() > now.getTime()) {
    problems.push(`is not valid before ${validFrom.toISOString()}: API Gateway refuses it until then`);
  }
  if (!certificate.ca) {
    problems.push('is not a CA certificate (basicConstraints CA:TRUE): a truststore holds the CAs that issue client certificates, not the client certificates themselves');
  }
  const key = certificate.publicKey;
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss') {
    if ((details.modulusLength ?? 0) < MIN_RSA_BITS) {
      problems.push(`has an RSA key of ${details.modulusLength} bits: API Gateway accepts RSA keys of ${MIN_RSA_BITS} bits or more`);
    }
  } else if (key.asymmetricKeyType === 'ec') {
    if (ACCEPTED_CURVES[details.namedCurve ?? ''] === undefined) {
      problems.push(`has an EC key on the curve ${details.namedCurve}: API Gateway accepts only P-256 and P-384`);
    }
  } else {
    problems.push(`has a key of type ${key.asymmetricKeyType}: API Gateway accepts only RSA (2048 bits or more) and EC (P-256, P-384) keys`);
  }
  // `signatureAlgorithm` exists from Node.js 24.9 on; older versions skip this check.
  const signature = (certificate as unknown as { signatureAlgorithm?: unknown }).signatureAlgorithm;
  if (typeof signature === 'string' && /sha1|md5/i.test(signature.replace(/[-_]/g, ''))) {
    problems.push(`is signed with ${signature}: API Gateway refuses SHA-1 and MD5 signatures; reissue it with SHA-256 or stronger`);
  }
  return problems;
}
