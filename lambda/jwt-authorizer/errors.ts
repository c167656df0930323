/**
 * Why a request was refused. Every one of these ends as API Gateway's `Unauthorized` (401); the
 * reason is logged, never sent to the caller.
 */
export class UnauthorizedError extends Error {
  constructor(public readonly reason: string, message: string) {
    super(message);
    this.name = 'UnauthorizedError';
  }
}

/** The `Authorization` header is missing, repeated, oversized or not `Bearer <token>`. */
export class BadCredentialsError extends UnauthorizedError {
  constructor(message: string) {
    super('bad-credentials', message);
  }
}

/** The token verified, but breaks a rule the authorizer adds on top of signature and claim checks. */
export class TokenPolicyError extends UnauthorizedError {
  constructor(message: string) {
    super('token-policy', message);
  }
}

/** The authorizer's settings are invalid: thrown at cold start, so the function never serves. */
export class SettingsError extends Error {
  constructor(message: string) {
    super(`Invalid JWT authorizer settings: ${message}`);
    this.name = 'SettingsError';
  }
}
