/**
 * A child process that runs real HTTPS OIDC issuers (oauth2-mock-server) and the JWT authorizer's
 * esbuild bundle side by side, driven over IPC by a test or the bench.
 *
 * It is a separate process because Node.js reads NODE_EXTRA_CA_CERTS (the test's self-signed
 * certificate) only at start-up, and because oauth2-mock-server and jose are ES modules.
 *
 * Messages in: { id, op, ...args }; out: { id, result } or { id, error }. The bundle's own log
 * lines go to this process's stdout, which the parent reads to check that no token is ever logged.
 */
import { createHmac, createPrivateKey, createSign, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { OAuth2Issuer, OAuth2Service } from 'oauth2-mock-server';

const require = createRequire(import.meta.url);
const tls = { key: readFileSync(process.env.HARNESS_TLS_KEY), cert: readFileSync(process.env.HARNESS_TLS_CERT) };

/** name -> { issuer, server, url, jwksUri, mode, fetches } */
const issuers = new Map();
let handler;
/** The attacker's key, made once. */
let foreignKey;
/** aws-jwt-verify verifiers of the `bareVerify` op, by issuer, audience and JWKS URI. */
const bareVerifiers = new Map();

/** Awaits `call()` `times` times in a row; returns each call's time in µs. A call that throws fails the op. */
async function timeCalls(call, times) {
  const samples = [];
  for (let i = 0; i < times; i++) {
    const start = performance.now();
    await call();
    samples.push((performance.now() - start) * 1000);
  }
  return samples;
}

const b64url = (value) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** JWKS faults: how the JWKS endpoint answers. */
function serveJwks(entry, req, res, service) {
  entry.fetches += 1;
  switch (entry.mode) {
    case 'down': req.socket.destroy(); return;
    case 'error': res.writeHead(500, { 'content-type': 'application/json' }).end('{"message":"boom"}'); return;
    case 'garbage': res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys": "not a key set"'); return;
    case 'slow': setTimeout(() => service.requestHandler(req, res), 5000).unref(); return;
    default: service.requestHandler(req, res);
  }
}

const ops = {
  /** Starts an HTTPS issuer with the given keys: [{ alg, kid }]. */
  async issuer({ name, keys = [{ alg: 'RS256', kid: `${name}-k1` }], trailingSlash = false }) {
    const issuer = new OAuth2Issuer(trailingSlash);
    for (const key of keys) {
      await issuer.keys.generate(key.alg, { kid: key.kid });
    }
    const service = new OAuth2Service(issuer);
    // Tokens are signed with the first key unless a test names another.
    const entry = { issuer, mode: 'ok', fetches: 0, defaultKid: keys[0].kid };
    entry.server = createServer(tls, (req, res) => {
      if (req.url?.startsWith('/jwks')) {
        serveJwks(entry, req, res, service);
      } else {
        service.requestHandler(req, res);
      }
    });
    await new Promise((resolve) => entry.server.listen(0, 'localhost', resolve));
    entry.url = `https://localhost:${entry.server.address().port}${trailingSlash ? '/' : ''}`;
    issuer.url = entry.url;
    entry.jwksUri = `https://localhost:${entry.server.address().port}/jwks`;
    issuers.set(name, entry);
    return { url: entry.url, jwksUri: entry.jwksUri };
  },

  /** A signed token: claims merged into the payload, header fields merged, `omit` claims removed. */
  async token({ name, claims = {}, header = {}, omit = [], expiresIn, kid }) {
    const entry = issuers.get(name);
    return entry.issuer.buildToken({
      kid: kid ?? entry.defaultKid,
      expiresIn,
      scopesOrTransform: (h, payload) => {
        Object.assign(h, header);
        Object.assign(payload, claims);
        omit.forEach((claim) => delete payload[claim]);
      },
    });
  },

  /**
   * Tokens that aws-jwt-verify's and jose's own signers refuse to make. `none`: unsigned; `hs256`:
   * HMAC-signed with the issuer's public key as the secret (algorithm confusion); `weak-rsa`: signed
   * with a 1024-bit RSA key that the issuer publishes; `foreign-key`: signed with a key the issuer
   * never had (`kid` chooses its key id); `crit`: signed by the issuer, with a `crit` header.
   */
  async forge({ name, kind, claims = {}, kid: requestedKid }) {
    const entry = issuers.get(name);
    const now = Math.floor(Date.now() / 1000);
    const payload = { iss: entry.url, iat: now, exp: now + 600, ...claims };
    const issuerJwk = entry.issuer.keys.toJSON(true)[0];
    const rs256 = (header, privateKey) => {
      const input = `${b64url({ alg: 'RS256', typ: 'JWT', ...header })}.${b64url(payload)}`;
      return `${input}.${createSign('RSA-SHA256').update(input).sign(privateKey).toString('base64url')}`;
    };
    switch (kind) {
      case 'none':
        return `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(payload)}.`;
      case 'hs256': {
        const input = `${b64url({ alg: 'HS256', typ: 'JWT', kid: issuerJwk.kid })}.${b64url(payload)}`;
        const { d, p, q, dp, dq, qi, ...publicJwk } = issuerJwk;
        return `${input}.${createHmac('sha256', JSON.stringify(publicJwk)).update(input).digest('base64url')}`;
      }
      case 'crit':
        return rs256({ kid: issuerJwk.kid, crit: ['exp'] }, createPrivateKey({ key: issuerJwk, format: 'jwk' }));
      case 'weak-rsa': {
        const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
        await entry.issuer.keys.add({ ...privateKey.export({ format: 'jwk' }), kid: 'weak-1024', alg: 'RS256', use: 'sig' });
        return rs256({ kid: 'weak-1024' }, privateKey);
      }
      case 'foreign-key':
        foreignKey ??= generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
        return rs256({ kid: requestedKid ?? 'attacker-key' }, foreignKey);
      default:
        throw new Error(`unknown forgery ${kind}`);
    }
  },

  /** Sets how the issuer's JWKS endpoint answers: ok, down, error, garbage or slow. */
  jwks({ name, mode }) {
    issuers.get(name).mode = mode;
    return null;
  },

  /** Adds a new signing key to an issuer's key set (a key rotation). */
  async rotate({ name, kid, alg = 'RS256' }) {
    const entry = issuers.get(name);
    await entry.issuer.keys.generate(alg, { kid });
    return null;
  },

  /** The Node.js version the bundle runs under. */
  nodeVersion() {
    return process.version;
  },
  /** JWKS requests each issuer has served, by name. */
  fetches() {
    return Object.fromEntries([...issuers].map(([name, entry]) => [name, entry.fetches]));
  },

  /** Loads the bundle afresh (a cold start) with the given settings; returns the load time in ms. */
  load({ bundle, env }) {
    Object.assign(process.env, env);
    delete require.cache[require.resolve(bundle)];
    const start = performance.now();
    handler = require(bundle).handler;
    return performance.now() - start;
  },

  /** Invokes the handler with every event at once; each outcome is { result } or { error }. */
  async invoke({ events }) {
    return Promise.all(events.map(async (event) => {
      try {
        return { result: await handler(event) };
      } catch (error) {
        return { error: error?.message ?? String(error) };
      }
    }));
  },

  /** Invokes the handler `times` times in a row with one event; returns every time, in µs. */
  timeInvoke({ event, times }) {
    return timeCalls(() => handler(event), times);
  },

  /**
   * The baseline of the authorizer: aws-jwt-verify's own `JwtVerifier` with its default JWKS cache,
   * created once per { issuer, audience, jwksUri } and warmed with one untimed call (which fetches
   * the key set). Then verifies `token` `times` times in a row; returns every time, in µs.
   */
  async bareVerify({ issuer, audience, jwksUri, token, times }) {
    const key = JSON.stringify([issuer, audience, jwksUri]);
    let verifier = bareVerifiers.get(key);
    if (!verifier) {
      verifier = require('aws-jwt-verify').JwtVerifier.create({ issuer, audience, jwksUri });
      await verifier.verify(token);
      bareVerifiers.set(key, verifier);
    }
    return timeCalls(() => verifier.verify(token), times);
  },

  async stop() {
    await Promise.all([...issuers.values()].map((entry) => new Promise((resolve) => {
      entry.server.closeAllConnections?.();
      entry.server.close(resolve);
    })));
    setImmediate(() => process.exit(0));
    return null;
  },
};

process.on('message', async ({ id, op, ...args }) => {
  try {
    process.send({ id, result: await ops[op](args) });
  } catch (error) {
    process.send({ id, error: error?.stack ?? String(error) });
  }
});
process.send({ ready: true });
