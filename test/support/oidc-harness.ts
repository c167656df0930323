import { ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { generate } from 'selfsigned';

/** A started issuer of the harness. */
export interface HarnessIssuer {
  readonly url: string;
  readonly jwksUri: string;
}

/** Outcome of one invocation: the authorizer's result, or the message of the error it threw. */
export type Outcome = { readonly result: any; readonly error?: undefined } | { readonly error: string; readonly result?: undefined };

/**
 * Drives `oidc-harness-process.mjs`: a child process running real HTTPS OIDC issuers on localhost, with a
 * self-signed certificate made here and trusted through NODE_EXTRA_CA_CERTS, and the authorizer
 * bundle.
 */
export class OidcHarness {
  /** Generates the certificate and starts the child process. */
  public static async start(): Promise<OidcHarness> {
    const dir = mkdtempSync(path.join(tmpdir(), 'oidc-'));
    const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
      keySize: 2048,
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] }],
    });
    const cert = path.join(dir, 'cert.pem');
    const key = path.join(dir, 'key.pem');
    writeFileSync(cert, pems.cert);
    writeFileSync(key, pems.private);
    const child = fork(path.join(__dirname, 'oidc-harness-process.mjs'), [], {
      // The bundle runs under the Node.js of Lambda's runtime when CI provides it (.ci/run sets HANDLER_NODE).
      execPath: process.env.HANDLER_NODE ?? process.execPath,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: { ...process.env, NODE_EXTRA_CA_CERTS: cert, HARNESS_TLS_CERT: cert, HARNESS_TLS_KEY: key, AWS_LAMBDA_LOG_FORMAT: 'JSON', NODE_ENV: 'production' },
    });
    const harness = new OidcHarness(child, dir);
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`the OIDC harness exited with ${code}: ${harness.stderr}`)));
    });
    return harness;
  }

  /** Everything the child wrote to stdout (the bundle's log lines), less what {@link takeStdoutLines} took. */
  public stdout = '';
  public stderr = '';
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (value: any) => void; reject: (error: Error) => void }>();

  private constructor(private readonly child: ChildProcess, private readonly certificateDir: string) {
    child.stdout!.on('data', (chunk) => { this.stdout += chunk; });
    child.stderr!.on('data', (chunk) => { this.stderr += chunk; });
    child.on('message', (message: { id?: number; result?: unknown; error?: string }) => {
      const call = message.id === undefined ? undefined : this.pending.get(message.id);
      if (call) {
        this.pending.delete(message.id!);
        if (message.error !== undefined) {
          call.reject(new Error(message.error));
        } else {
          call.resolve(message.result);
        }
      }
    });
  }

  /**
   * Removes the complete lines read from the child's stdout so far from {@link stdout} and returns
   * them, so a long run does not keep every log line in memory.
   */
  public takeStdoutLines(): string[] {
    const end = this.stdout.lastIndexOf('\n') + 1;
    const lines = this.stdout.slice(0, end).split('\n').slice(0, -1);
    this.stdout = this.stdout.slice(end);
    return lines;
  }

  /** Runs an operation of the harness (see oidc-harness-process.mjs). */
  public call<T = unknown>(op: string, args: Record<string, unknown> = {}): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ id, op, ...args });
    });
  }

  public issuer(name: string, options: Record<string, unknown> = {}): Promise<HarnessIssuer> {
    return this.call('issuer', { name, ...options });
  }

  public token(name: string, options: { claims?: Record<string, unknown>; header?: Record<string, unknown>; omit?: string[]; expiresIn?: number; kid?: string } = {}): Promise<string> {
    return this.call('token', { name, ...options });
  }

  public invoke(...events: unknown[]): Promise<Outcome[]> {
    return this.call('invoke', { events });
  }

  /** Stops the issuers and the child process, and removes the certificate's folder. */
  public async stop(): Promise<void> {
    await this.call('stop').catch(() => undefined);
    await new Promise((resolve) => (this.child.exitCode !== null ? resolve(undefined) : this.child.once('exit', resolve)));
    rmSync(this.certificateDir, { recursive: true, force: true });
  }
}
