/**
 * How IAM evaluates an authorizer's policy for one request, written independently of the
 * authorizer's code: an explicit Deny wins, then an Allow, else the request is refused. In ARNs,
 * `*` matches any characters (`/` included) and `?` any one character.
 */
export function policyAllows(policy: { readonly Statement: ReadonlyArray<{ readonly Effect: string; readonly Action: string; readonly Resource: readonly string[] | string }> }, methodArn: string): boolean {
  const matching = policy.Statement.filter((statement) => statement.Action === 'execute-api:Invoke'
    && [statement.Resource].flat().some((resource) => arnMatches(resource, methodArn)));
  return !matching.some((s) => s.Effect === 'Deny') && matching.some((s) => s.Effect === 'Allow');
}

/** Whether an IAM resource pattern matches an ARN: `*` any characters, `/` included; `?` one character. */
export function arnMatches(pattern: string, arn: string): boolean {
  const regex = pattern.split('').map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${regex}$`).test(arn);
}
