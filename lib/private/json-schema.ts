import { Token } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { IConstruct } from 'constructs';
import { ValidationError } from './validation-error';
import { describe } from './validators';

/**
 * A check, at synth, of the JSON schemas of API Gateway models: the keywords of aws-cdk-lib's
 * `apigw.JsonSchema` (JSON Schema draft 4, which API Gateway models use), each with the value
 * draft 4 requires. API Gateway takes a schema it cannot use without complaint and then checks
 * bodies against less than the author meant, so a mistake here would let bad input through.
 */

/** The keywords of aws-cdk-lib's `apigw.JsonSchema`, in the order messages list them. */
export const JSON_SCHEMA_KEYWORDS: readonly string[] = [
  'schema', 'id', 'ref', 'type', 'title', 'description', 'enum', 'default', 'format', 'definitions',
  'multipleOf', 'maximum', 'exclusiveMaximum', 'minimum', 'exclusiveMinimum', 'maxLength', 'minLength',
  'pattern', 'items', 'additionalItems', 'maxItems', 'minItems', 'uniqueItems', 'contains',
  'maxProperties', 'minProperties', 'required', 'properties', 'additionalProperties', 'patternProperties',
  'dependencies', 'propertyNames', 'allOf', 'anyOf', 'oneOf', 'not',
];

/** Keywords of `apigw.JsonSchema` that are not draft 4: API Gateway models ignore them. */
const NOT_DRAFT4_KEYWORDS: readonly string[] = ['contains', 'propertyNames'];

/** The draft-4 types (`apigw.JsonSchemaType`). */
const TYPES: readonly string[] = Object.values(apigw.JsonSchemaType);

/** The spellings of JSON Schema itself that `apigw.JsonSchema` names differently. */
const RENAMED: Record<string, string> = { $schema: 'schema', $ref: 'ref' };

const WHOLE_NUMBER_KEYWORDS = ['minLength', 'maxLength', 'minItems', 'maxItems', 'minProperties', 'maxProperties'];
const NUMBER_KEYWORDS = ['minimum', 'maximum'];
const BOOLEAN_KEYWORDS = ['exclusiveMaximum', 'exclusiveMinimum', 'uniqueItems'];
const STRING_KEYWORDS = ['id', 'ref', 'title', 'description', 'format'];
const SCHEMA_MAP_KEYWORDS = ['properties', 'patternProperties', 'definitions'];
const SCHEMA_ARRAY_KEYWORDS = ['allOf', 'anyOf', 'oneOf'];
const BOUNDS: ReadonlyArray<readonly [string, string]> = [
  ['minLength', 'maxLength'], ['minItems', 'maxItems'], ['minProperties', 'maxProperties'], ['minimum', 'maximum'],
];

/** Thrown inside the walk, caught by {@link jsonSchemaProblem}. */
class SchemaProblem {
  constructor(public readonly message: string) {}
}

/**
 * The first problem of `schema` as a model's schema, as a sentence that starts with the path of the
 * offending value in backticks (`path` is the schema's own), or undefined if there is none.
 * Unresolved tokens are skipped.
 */
export function jsonSchemaProblem(schema: unknown, path: string): string | undefined {
  try {
    checkSchema(schema, path, new Set());
    return undefined;
  } catch (error) {
    if (error instanceof SchemaProblem) {
      return error.message;
    }
    throw error;
  }
}

/** Throws a {@link ValidationError} unless `schema` is a JSON schema an API Gateway model can use. */
export function validateJsonSchema(scope: IConstruct, prop: string, schema: unknown): void {
  const problem = jsonSchemaProblem(schema, prop);
  if (problem !== undefined) {
    throw new ValidationError(problem, scope);
  }
}

function fail(path: string, sentence: string): never {
  throw new SchemaProblem(`\`${path}\` ${sentence}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function unresolved(value: unknown): boolean {
  return Token.isUnresolved(value);
}

/** `path.key`, or `path['key']` for a key that is not an identifier. */
function child(path: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${describe(key)}]`;
}

function checkSchema(schema: unknown, path: string, ancestors: Set<unknown>): void {
  if (unresolved(schema)) {
    return;
  }
  if (!isObject(schema)) {
    fail(path, `must be a JSON schema (an object such as { type: JsonSchemaType.STRING }), got ${describe(schema)}`);
  }
  if (ancestors.has(schema)) {
    fail(path, 'contains itself: a schema cannot be rendered to JSON with a cycle; use `definitions` and `ref` for a recursive structure');
  }
  ancestors.add(schema);
  for (const [keyword, value] of Object.entries(schema)) {
    if (value === undefined || unresolved(value)) {
      continue;
    }
    checkKeyword(keyword, value, child(path, keyword), ancestors);
  }
  for (const [min, max] of BOUNDS) {
    const low = schema[min];
    const high = schema[max];
    if (typeof low === 'number' && typeof high === 'number' && !unresolved(low) && !unresolved(high) && low > high) {
      fail(child(path, min), `must be at most \`${max}\` (${high}), got ${low}: no value could match`);
    }
  }
  ancestors.delete(schema);
}

function checkKeyword(keyword: string, value: unknown, path: string, ancestors: Set<unknown>): void {
  if (Object.hasOwn(RENAMED, keyword)) {
    fail(path, `is spelled \`${RENAMED[keyword]}\` in apigw.JsonSchema: aws-cdk-lib renders \`${RENAMED[keyword]}\` as ${keyword}`);
  }
  if (!JSON_SCHEMA_KEYWORDS.includes(keyword)) {
    fail(path, `is not a keyword of API Gateway's JSON schemas (draft 4): use one of ${JSON_SCHEMA_KEYWORDS.join(', ')}`);
  }
  if (NOT_DRAFT4_KEYWORDS.includes(keyword)) {
    fail(path, 'is not a JSON Schema draft 4 keyword: API Gateway models use draft 4 and would not enforce it; express the rule with draft 4 keywords');
  }
  if (keyword === 'schema') {
    if (value !== apigw.JsonSchemaVersion.DRAFT4) {
      fail(path, `must be JsonSchemaVersion.DRAFT4 ('${apigw.JsonSchemaVersion.DRAFT4}'), got ${describe(value)}: API Gateway models use JSON Schema draft 4; leave it out`);
    }
  } else if (keyword === 'type') {
    checkType(value, path);
  } else if (WHOLE_NUMBER_KEYWORDS.includes(keyword)) {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      fail(path, `must be a whole number >= 0, got ${describe(value)}`);
    }
  } else if (NUMBER_KEYWORDS.includes(keyword)) {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      fail(path, `must be a number, got ${describe(value)}`);
    }
  } else if (keyword === 'multipleOf') {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      fail(path, `must be a number > 0, got ${describe(value)}`);
    }
  } else if (BOOLEAN_KEYWORDS.includes(keyword)) {
    if (typeof value !== 'boolean') {
      fail(path, `must be true or false, got ${describe(value)}`);
    }
  } else if (STRING_KEYWORDS.includes(keyword)) {
    if (typeof value !== 'string') {
      fail(path, `must be a string, got ${describe(value)}`);
    }
  } else if (keyword === 'pattern') {
    checkPattern(value, path);
  } else if (keyword === 'required') {
    checkPropertyNames(value, path);
  } else if (keyword === 'enum') {
    checkEnum(value, path);
  } else if (SCHEMA_MAP_KEYWORDS.includes(keyword)) {
    checkSchemaMap(value, path, ancestors);
  } else if (keyword === 'dependencies') {
    checkDependencies(value, path, ancestors);
  } else if (keyword === 'items') {
    if (Array.isArray(value)) {
      value.forEach((item, index) => checkSchema(item, `${path}[${index}]`, ancestors));
    } else if (isObject(value)) {
      checkSchema(value, path, ancestors);
    } else {
      fail(path, `must be a schema or an array of schemas, got ${describe(value)}`);
    }
  } else if (keyword === 'additionalItems' || keyword === 'additionalProperties') {
    if (typeof value !== 'boolean') {
      if (!isObject(value)) {
        fail(path, `must be true, false or a schema, got ${describe(value)}`);
      }
      checkSchema(value, path, ancestors);
    }
  } else if (SCHEMA_ARRAY_KEYWORDS.includes(keyword)) {
    if (!Array.isArray(value) || value.length === 0) {
      fail(path, `must be a non-empty array of schemas, got ${describe(value)}`);
    }
    value.forEach((item, index) => checkSchema(item, `${path}[${index}]`, ancestors));
  } else if (keyword === 'not') {
    checkSchema(value, path, ancestors);
  }
  // `default` may be any value.
}

function checkType(value: unknown, path: string): void {
  const expected = `must be one of ${TYPES.map(describe).join(', ')} (apigw.JsonSchemaType) or a non-empty array of them without repeats`;
  if (Array.isArray(value)) {
    if (value.length === 0) {
      fail(path, `${expected}, got []`);
    }
    value.forEach((item, index) => {
      if (unresolved(item)) {
        return;
      }
      if (typeof item !== 'string' || !TYPES.includes(item)) {
        fail(`${path}[${index}]`, `${expected}, got ${describe(item)}`);
      }
      if (value.indexOf(item) !== index) {
        fail(path, `lists ${describe(item)} twice: list each type once`);
      }
    });
  } else if (typeof value !== 'string' || !TYPES.includes(value)) {
    fail(path, `${expected}, got ${describe(value)}`);
  }
}

/**
 * A pattern must be a string. Whether it compiles is not checked: which regular expressions
 * JavaScript accepts depends on the Node.js version running synth (`(?i:...)` needs Node 24), and
 * API Gateway's validator has a dialect of its own, so a compile check would refuse patterns the
 * gateway takes, or the same app would synthesize on one Node.js and not on another.
 */
function checkPattern(value: unknown, path: string): void {
  if (typeof value !== 'string') {
    fail(path, `must be a regular expression as a string, got ${describe(value)}`);
  }
}

function checkPropertyNames(value: unknown, path: string): void {
  if (!Array.isArray(value)) {
    fail(path, `must be an array of property names, got ${describe(value)}`);
  }
  value.forEach((name, index) => {
    if (unresolved(name)) {
      return;
    }
    if (typeof name !== 'string') {
      fail(`${path}[${index}]`, `must be a property name (a string), got ${describe(name)}`);
    }
    if (value.indexOf(name) !== index) {
      fail(path, `names ${describe(name)} twice: list each property once`);
    }
  });
}

function checkEnum(value: unknown, path: string): void {
  if (!Array.isArray(value) || value.length === 0) {
    fail(path, `must be a non-empty array of the values allowed, got ${describe(value)}`);
  }
  const seen = new Set<string>();
  for (const item of value) {
    const key = canonical(item);
    if (key === undefined) {
      fail(path, 'holds a value that is not JSON data (a bigint, a function, or a value that contains itself): list JSON values');
    }
    if (seen.has(key)) {
      fail(path, `lists ${describe(item)} twice: list each value once`);
    }
    seen.add(key);
  }
}

/**
 * A JSON text of `value` with its object keys sorted, so that equal values are equal texts; or
 * undefined for a value that is not JSON data (a bigint, a function, a cycle).
 */
function canonical(value: unknown): string | undefined {
  try {
    return canonicalJson(value, new Set());
  } catch {
    return undefined;
  }
}

function canonicalJson(value: unknown, ancestors: Set<unknown>): string {
  if (ancestors.has(value)) {
    throw new Error('a cycle');
  }
  if (Array.isArray(value) || isObject(value)) {
    ancestors.add(value);
  }
  try {
    if (Array.isArray(value)) {
      return `[${value.map((item) => canonicalJson(item, ancestors)).join(',')}]`;
    }
    if (isObject(value)) {
      return `{${Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key], ancestors)}`).join(',')}}`;
    }
    const text = JSON.stringify(value);
    if (text === undefined) {
      throw new Error('not JSON data');
    }
    return text;
  } finally {
    ancestors.delete(value);
  }
}

function checkSchemaMap(value: unknown, path: string, ancestors: Set<unknown>): void {
  if (!isObject(value)) {
    fail(path, `must be an object of schemas by name, got ${describe(value)}`);
  }
  for (const [name, schema] of Object.entries(value)) {
    // Left out, as a keyword at the top is: `properties: { x: flag ? {...} : undefined }`.
    if (schema === undefined) {
      continue;
    }
    checkSchema(schema, child(path, name), ancestors);
  }
}

function checkDependencies(value: unknown, path: string, ancestors: Set<unknown>): void {
  if (!isObject(value)) {
    fail(path, `must be an object of schemas or arrays of property names, got ${describe(value)}`);
  }
  for (const [name, dependency] of Object.entries(value)) {
    if (Array.isArray(dependency)) {
      checkPropertyNames(dependency, child(path, name));
    } else {
      checkSchema(dependency, child(path, name), ancestors);
    }
  }
}
