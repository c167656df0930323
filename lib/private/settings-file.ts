import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { LAMBDA_ENVIRONMENT_LIMIT_BYTES, SETTINGS_REFERENCE, SETTINGS_VARIABLE_PREFIX } from '../../lambda/shared/constants';
import { ValidationError } from './validation-error';

/** A handler's settings as written into its asset, and the environment variables its references name. */
export interface SettingsFile {
  /** The JSON text of the file: keys sorted, so the same settings always give the same bytes (and asset hash). */
  readonly text: string;
  /** The values known only at deploy time, by the variable each reference names. */
  readonly variables: Record<string, string>;
}

/**
 * The settings file of `settings`: canonical JSON (object keys sorted, arrays in order, no
 * whitespace), in which every value that is an unresolved token (a CloudFormation reference) is a
 * `{ "$env": "<variable>" }` reference, and the value goes into `variables`. The same token anywhere
 * in the settings shares one variable. Refuses what JSON cannot hold, naming where it is.
 */
export function settingsFile(scope: IConstruct, settings: unknown): SettingsFile {
  const variables: Record<string, string> = {};
  const byToken = new Map<string, string>();
  const reference = (token: string, type?: 'number'): Record<string, string> => {
    let name = byToken.get(`${type}:${token}`);
    if (name === undefined) {
      name = `${SETTINGS_VARIABLE_PREFIX}${byToken.size + 1}`;
      byToken.set(`${type}:${token}`, name);
      variables[name] = token;
    }
    return type ? { [SETTINGS_REFERENCE.env]: name, [SETTINGS_REFERENCE.type]: type } : { [SETTINGS_REFERENCE.env]: name };
  };
  const refuse = (at: string, what: string): never => {
    throw new ValidationError(`The settings of \`${scope.node.path}\` hold ${what} at \`${at}\`, which a JSON settings file cannot: this is a bug of the library, please report it`, scope);
  };
  const canonical = (value: unknown, at: string): unknown => {
    switch (typeof value) {
      case 'string':
        return Token.isUnresolved(value) ? reference(value) : value;
      case 'number':
        if (Token.isUnresolved(value)) {
          return reference(Token.asString(value), 'number');
        }
        return Number.isFinite(value) ? value : refuse(at, `the number ${value}`);
      case 'boolean':
        return value;
      case 'object':
        if (value === null) {
          return null;
        }
        if (Array.isArray(value)) {
          return value.map((item, i) => canonical(item, `${at}[${i}]`));
        }
        if (Object.getPrototypeOf(value) !== Object.prototype) {
          return refuse(at, `a ${value.constructor?.name ?? 'non-plain'} object`);
        }
        return Object.fromEntries(Object.keys(value).sort()
          .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
          .map((key) => {
            // A key is written as it is: a token cannot be, and the reader takes a reference's keys for a reference.
            if (Token.isUnresolved(key) || Object.values(SETTINGS_REFERENCE).includes(key as never)) {
              refuse(at || 'the top', `the key ${JSON.stringify(key)}`);
            }
            return [key, canonical((value as Record<string, unknown>)[key], at ? `${at}.${key}` : key)];
          }));
      default:
        return refuse(at || 'the top', `a value of type ${typeof value}`);
    }
  };
  const file = canonical(settings, '');
  if (file === null || typeof file !== 'object' || Array.isArray(file)) {
    refuse('the top', 'something other than an object');
  }
  return { text: JSON.stringify(file), variables };
}

/**
 * The longest a value known only at deploy time is counted, in bytes: resource names (a table, a
 * user pool id) are at most 255 characters.
 */
const DEPLOY_TIME_VALUE_BYTES = 255;

/** The longest value of each pseudo parameter (`AWS::URLSuffix` is `amazonaws.com.cn` at most among the partitions). */
const PSEUDO_PARAMETER_BYTES: Record<string, number> = {
  'AWS::AccountId': 12,
  'AWS::Region': 20,
  'AWS::Partition': 16,
  'AWS::URLSuffix': 20,
};

/**
 * The longest text a synthesized environment variable's value can deploy as: a literal is itself;
 * in an `Fn::Join` the literal parts count as they are; a pseudo parameter at its longest; any other
 * reference at {@link DEPLOY_TIME_VALUE_BYTES}.
 */
function deployedValue(value: unknown): string {
  if (typeof value === 'string') {
    return value;
  }
  if (typeof value === 'number' || typeof value === 'boolean') {
    return String(value);
  }
  const record = (value ?? {}) as Record<string, any>;
  if (Array.isArray(record['Fn::Join']) && Array.isArray(record['Fn::Join'][1])) {
    const [separator, parts] = record['Fn::Join'] as [string, unknown[]];
    return parts.map(deployedValue).join(separator);
  }
  const pseudo = typeof record.Ref === 'string' ? PSEUDO_PARAMETER_BYTES[record.Ref] : undefined;
  return 'x'.repeat(pseudo ?? DEPLOY_TIME_VALUE_BYTES);
}

/**
 * The size of a function's environment variables as Lambda counts it against its 4 KB: the
 * variables as one JSON object, escaped as a JSON string (a quote or backslash counts twice), each
 * value known only at deploy time at its longest. `variables` is the synthesized (resolved) map.
 */
export function environmentBytes(variables: Record<string, unknown>): number {
  const deployed = Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, deployedValue(value)]));
  return Buffer.byteLength(JSON.stringify(JSON.stringify(deployed)), 'utf8');
}

/** The error of a function whose environment exceeds Lambda's 4 KB, naming the limit and the fix; undefined when it fits. */
export function environmentLimitError(scope: IConstruct, variables: Record<string, unknown>): string | undefined {
  const bytes = environmentBytes(variables);
  if (bytes <= LAMBDA_ENVIRONMENT_LIMIT_BYTES) {
    return undefined;
  }
  const deployTime = Object.keys(variables).filter((name) => name.startsWith(SETTINGS_VARIABLE_PREFIX)).length;
  return `The environment variables of \`${scope.node.path}\` take ${bytes} bytes as Lambda counts them (as escaped JSON, `
    + `values known only at deploy time at their longest), over Lambda's limit of ${LAMBDA_ENVIRONMENT_LIMIT_BYTES} bytes: `
    + `its settings are in its asset's settings file, but ${deployTime} of their values are CloudFormation references, which only the environment can carry; `
    + 'pass such values (a user pool\'s issuer URL, app client ids, scope names) as literal strings, or add fewer variables with addEnvironment()';
}
