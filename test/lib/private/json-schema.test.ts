import { App, Lazy, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { Construct } from 'constructs';
import { JSON_SCHEMA_KEYWORDS, jsonSchemaProblem, validateJsonSchema } from '../../../lib/private/json-schema';
import { ValidationError } from '../../../lib/private/validation-error';
import { NEW_PET_SCHEMA } from '../../../bin/example-api-stack';

const P = "routes['POST /pets'].requestBodySchema";
const TYPES = "'null', 'boolean', 'object', 'array', 'number', 'integer', 'string'";

function problem(schema: unknown): string | undefined {
  return jsonSchemaProblem(schema, P);
}

describe('jsonSchemaProblem', () => {
  test('accepts the example app\'s schema', () => {
    expect(problem(NEW_PET_SCHEMA)).toBeUndefined();
  });

  test('accepts a schema that uses every draft 4 keyword of apigw.JsonSchema', () => {
    const schema: apigw.JsonSchema = {
      schema: apigw.JsonSchemaVersion.DRAFT4,
      id: 'https://example.com/pet',
      title: 'Pet',
      description: 'A pet',
      type: [apigw.JsonSchemaType.OBJECT, apigw.JsonSchemaType.NULL],
      definitions: { tag: { type: apigw.JsonSchemaType.STRING, format: 'uuid' } },
      required: ['name'],
      minProperties: 1,
      maxProperties: 10,
      additionalProperties: false,
      patternProperties: { '^x-[a-z]+$': { type: apigw.JsonSchemaType.STRING } },
      dependencies: { name: ['species'], age: { required: ['name'] } },
      properties: {
        'name': { type: apigw.JsonSchemaType.STRING, minLength: 1, maxLength: 1, pattern: '^[A-Z]', default: 'A' },
        'age': { type: apigw.JsonSchemaType.INTEGER, minimum: 0, maximum: 0, exclusiveMaximum: false, exclusiveMinimum: false, multipleOf: 1 },
        'weight': { type: apigw.JsonSchemaType.NUMBER, multipleOf: 0.5 },
        'tags': { type: apigw.JsonSchemaType.ARRAY, items: { ref: '#/definitions/tag' }, minItems: 0, maxItems: 5, uniqueItems: true },
        'pair': { items: [{ type: apigw.JsonSchemaType.STRING }, { type: apigw.JsonSchemaType.BOOLEAN }], additionalItems: { type: apigw.JsonSchemaType.NULL } },
        'species': { enum: ['cat', 'dog', 1, null, { a: 1 }, [1]] },
        'owner-id': { allOf: [{ type: apigw.JsonSchemaType.STRING }], anyOf: [{ minLength: 1 }], oneOf: [{ maxLength: 5 }], not: { enum: [''] } },
      },
    };
    expect(problem(schema)).toBeUndefined();
  });

  test('skips unresolved tokens', () => {
    const token = Lazy.number({ produce: () => -1 });
    expect(problem({ type: Lazy.string({ produce: () => 'banana' }), minLength: token, maxLength: 3, properties: { a: { minimum: token } } })).toBeUndefined();
  });

  test('lists the keywords of aws-cdk-lib\'s apigw.JsonSchema', () => {
    expect(JSON_SCHEMA_KEYWORDS).toContain('multipleOf');
    expect(JSON_SCHEMA_KEYWORDS).toHaveLength(36);
  });

  test.each<[string, unknown, string]>([
    ['a schema that is not an object', 'object', `\`${P}\` must be a JSON schema (an object such as { type: JsonSchemaType.STRING }), got 'object'`],
    ['an array as the schema', [], `\`${P}\` must be a JSON schema (an object such as { type: JsonSchemaType.STRING }), got []`],
    ['an unknown type', { type: 'banana' }, `\`${P}.type\` must be one of ${TYPES} (apigw.JsonSchemaType) or a non-empty array of them without repeats, got 'banana'`],
    ['an unknown type in an array', { type: ['string', 'text'] }, `\`${P}.type[1]\` must be one of ${TYPES} (apigw.JsonSchemaType) or a non-empty array of them without repeats, got 'text'`],
    ['an empty type array', { type: [] }, `\`${P}.type\` must be one of ${TYPES} (apigw.JsonSchemaType) or a non-empty array of them without repeats, got []`],
    ['a repeated type', { type: ['string', 'string'] }, `\`${P}.type\` lists 'string' twice: list each type once`],
    ['a negative minLength, deep', { properties: { name: { minLength: -1 } } }, `\`${P}.properties.name.minLength\` must be a whole number >= 0, got -1`],
    ['a fractional maxItems', { maxItems: 1.5 }, `\`${P}.maxItems\` must be a whole number >= 0, got 1.5`],
    ['a string minProperties', { minProperties: '1' }, `\`${P}.minProperties\` must be a whole number >= 0, got '1'`],
    ['minLength above maxLength', { minLength: 5, maxLength: 3 }, `\`${P}.minLength\` must be at most \`maxLength\` (3), got 5: no value could match`],
    ['minItems above maxItems', { minItems: 2, maxItems: 1 }, `\`${P}.minItems\` must be at most \`maxItems\` (1), got 2: no value could match`],
    ['minimum above maximum', { minimum: 1.5, maximum: -1 }, `\`${P}.minimum\` must be at most \`maximum\` (-1), got 1.5: no value could match`],
    ['a string maximum', { maximum: '10' }, `\`${P}.maximum\` must be a number, got '10'`],
    ['an infinite minimum', { minimum: Infinity }, `\`${P}.minimum\` must be a number, got Infinity`],
    ['a zero multipleOf', { multipleOf: 0 }, `\`${P}.multipleOf\` must be a number > 0, got 0`],
    ['a negative multipleOf', { multipleOf: -2 }, `\`${P}.multipleOf\` must be a number > 0, got -2`],
    ['a non-boolean uniqueItems', { uniqueItems: 'yes' }, `\`${P}.uniqueItems\` must be true or false, got 'yes'`],
    ['a non-boolean exclusiveMaximum', { exclusiveMaximum: 10 }, `\`${P}.exclusiveMaximum\` must be true or false, got 10`],
    ['a non-string title', { title: 7 }, `\`${P}.title\` must be a string, got 7`],
    ['a non-string ref', { ref: {} }, `\`${P}.ref\` must be a string, got {}`],
    ['a required that is not an array', { required: 'name' }, `\`${P}.required\` must be an array of property names, got 'name'`],
    ['a required with a number', { required: ['name', 1] }, `\`${P}.required[1]\` must be a property name (a string), got 1`],
    ['a repeated required name', { required: ['name', 'name'] }, `\`${P}.required\` names 'name' twice: list each property once`],
    ['an empty enum', { enum: [] }, `\`${P}.enum\` must be a non-empty array of the values allowed, got []`],
    ['an enum that is not an array', { enum: 'cat' }, `\`${P}.enum\` must be a non-empty array of the values allowed, got 'cat'`],
    ['a repeated enum value', { enum: ['cat', 'dog', 'cat'] }, `\`${P}.enum\` lists 'cat' twice: list each value once`],
    ['a repeated enum object, keys in another order', { enum: [{ a: 1, b: 2 }, { b: 2, a: 1 }] }, `\`${P}.enum\` lists {"b":2,"a":1} twice: list each value once`],
    ['a pattern that is not a string', { pattern: /a/ }, `\`${P}.pattern\` must be a regular expression as a string, got {}`],
    ['properties that are not an object', { properties: ['name'] }, `\`${P}.properties\` must be an object of schemas by name, got ["name"]`],
    ['a property that is not a schema', { properties: { 'pet-name': 'string' } }, `\`${P}.properties['pet-name']\` must be a JSON schema (an object such as { type: JsonSchemaType.STRING }), got 'string'`],
    ['a bad definition', { definitions: { tag: { type: 'tag' } } }, `\`${P}.definitions.tag.type\` must be one of ${TYPES} (apigw.JsonSchemaType) or a non-empty array of them without repeats, got 'tag'`],
    ['a bad dependency', { dependencies: { name: ['a', 'a'] } }, `\`${P}.dependencies.name\` names 'a' twice: list each property once`],
    ['items that are not a schema', { items: 'string' }, `\`${P}.items\` must be a schema or an array of schemas, got 'string'`],
    ['a bad tuple item', { items: [{}, { minItems: -1 }] }, `\`${P}.items[1].minItems\` must be a whole number >= 0, got -1`],
    ['a string additionalProperties', { additionalProperties: 'false' }, `\`${P}.additionalProperties\` must be true, false or a schema, got 'false'`],
    ['a bad additionalItems schema', { additionalItems: { type: 'x' } }, `\`${P}.additionalItems.type\` must be one of ${TYPES} (apigw.JsonSchemaType) or a non-empty array of them without repeats, got 'x'`],
    ['an empty anyOf', { anyOf: [] }, `\`${P}.anyOf\` must be a non-empty array of schemas, got []`],
    ['a oneOf that is not an array', { oneOf: { type: 'string' } }, `\`${P}.oneOf\` must be a non-empty array of schemas, got {"type":"string"}`],
    ['a bad allOf member', { allOf: [{}, 3] }, `\`${P}.allOf[1]\` must be a JSON schema (an object such as { type: JsonSchemaType.STRING }), got 3`],
    ['a bad not', { not: { maxLength: -3 } }, `\`${P}.not.maxLength\` must be a whole number >= 0, got -3`],
    ['another draft of JSON Schema', { schema: apigw.JsonSchemaVersion.DRAFT7 }, `\`${P}.schema\` must be JsonSchemaVersion.DRAFT4 ('http://json-schema.org/draft-04/schema#'), got 'http://json-schema.org/draft-07/schema#': API Gateway models use JSON Schema draft 4; leave it out`],
    ['$ref spelled as in JSON', { $ref: '#/definitions/a' }, `\`${P}.$ref\` is spelled \`ref\` in apigw.JsonSchema: aws-cdk-lib renders \`ref\` as $ref`],
    ['a draft 6 keyword', { contains: { type: 'string' } }, `\`${P}.contains\` is not a JSON Schema draft 4 keyword: API Gateway models use draft 4 and would not enforce it; express the rule with draft 4 keywords`],
    ['a misspelled keyword', { properties: { age: { minimun: 0 } } }, `\`${P}.properties.age.minimun\` is not a keyword of API Gateway's JSON schemas (draft 4): use one of ${JSON_SCHEMA_KEYWORDS.join(', ')}`],
  ])('refuses %s', (_, schema, message) => {
    expect(problem(schema)).toBe(message);
  });

  test('refuses a schema that contains itself', () => {
    const schema: { properties: Record<string, unknown> } = { properties: {} };
    schema.properties.self = schema;
    expect(problem(schema)).toBe(`\`${P}.properties.self\` contains itself: a schema cannot be rendered to JSON with a cycle; use \`definitions\` and \`ref\` for a recursive structure`);
  });

  test('leaves out an undefined property, as aws-cdk-lib does (`properties: { x: flag ? {...} : undefined }`)', () => {
    expect(problem({ type: 'object', properties: { a: undefined, b: { type: 'string' } } })).toBeUndefined();
  });

  test('does not compile patterns: the dialect depends on the Node.js of synth and API Gateway has its own', () => {
    expect(problem({ pattern: '(?i:abc)', patternProperties: { '^x-': {} } })).toBeUndefined();
    expect(problem({ pattern: 1 })).toBe(`\`${P}.pattern\` must be a regular expression as a string, got 1`);
  });

  test('names inherited from Object.prototype are keywords like any other, and enum values must be JSON data', () => {
    expect(problem({ constructor: 1 })).toBe(`\`${P}.constructor\` is not a keyword of API Gateway's JSON schemas (draft 4): use one of ${JSON_SCHEMA_KEYWORDS.join(', ')}`);
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    for (const value of [1n, cyclic, () => 1]) {
      expect(problem({ enum: ['a', value] })).toBe(`\`${P}.enum\` holds a value that is not JSON data (a bigint, a function, or a value that contains itself): list JSON values`);
    }
  });

  test('accepts the same sub-schema object used twice', () => {
    const name = { type: apigw.JsonSchemaType.STRING };
    expect(problem({ properties: { a: name, b: name } })).toBeUndefined();
  });
});

describe('validateJsonSchema', () => {
  test('throws a ValidationError with the construct path', () => {
    const scope = new Construct(new Stack(new App(), 'TestStack'), 'Api');
    expect(() => validateJsonSchema(scope, P, { minLength: -1 })).toThrow(ValidationError);
    expect(() => validateJsonSchema(scope, P, { minLength: -1 })).toThrow(`\`${P}.minLength\` must be a whole number >= 0, got -1 (at TestStack/Api)`);
    expect(() => validateJsonSchema(scope, P, NEW_PET_SCHEMA)).not.toThrow();
  });
});
