/**
 * The prober's SigV4 signing: Node.js's SHA-256 and HMAC under @smithy/signature-v4, checked
 * against published test vectors.
 */
import { Sha256, signedHeaders } from './signer';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

test('Sha256 digests like SHA-256 (FIPS 180-2 "abc"), and resets', async () => {
  const hash = new Sha256();
  hash.update(Buffer.from('a'));
  hash.reset();
  hash.update(Buffer.from('abc'));
  expect(hex(await hash.digest())).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
});

test('Sha256 with a secret is HMAC-SHA-256 (RFC 4231 test case 2)', async () => {
  const hmac = new Sha256('Jefe');
  hmac.update(Buffer.from('what do ya want for nothing?'));
  expect(hex(await hmac.digest())).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
});

test('signedHeaders signs AWS\'s get-vanilla SigV4 test request to the published signature, without a host header', async () => {
  const headers = await signedHeaders(
    { url: new URL('https://example.amazonaws.com/'), method: 'GET', headers: {} },
    'service',
    'us-east-1',
    { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
    new Date('2015-08-30T12:36:00Z'),
  );
  expect(headers).toEqual({
    'x-amz-date': '20150830T123600Z',
    'authorization': 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
  });
});

test('signedHeaders adds the session token of temporary credentials', async () => {
  const headers = await signedHeaders(
    { url: new URL('https://abc123.execute-api.eu-west-1.amazonaws.com/v1/private'), method: 'GET', headers: {} },
    'execute-api',
    'eu-west-1',
    { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'session-token' },
  );
  expect(headers['x-amz-security-token']).toBe('session-token');
  expect(headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/);
});
