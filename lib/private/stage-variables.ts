import { Lazy } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { ValidationError } from './validation-error';

/**
 * API Gateway's rules for stage variables: names of letters, digits and `_`; values of the
 * characters below, at most 512 for a REST API ("Length, in characters, of the value of a stage
 * variable: 512", API Gateway quotas).
 */
const NAME = /^[A-Za-z0-9_]+$/;
const VALUE = /^[A-Za-z0-9\-._~:/?#&=,]+$/;
export const STAGE_VARIABLE_MAX_LENGTH = 512;

interface StageVariable {
  readonly value: string;
  readonly owner: string;
}

const VARIABLES = new WeakMap<apigw.Stage, Map<string, StageVariable>>();

/**
 * Sets a stage variable that handlers read from their event (`event.stageVariables`), rendered at
 * synth so that several parts (CORS, a deprecated version) can each add theirs. A name given two
 * different values is an error naming both owners.
 */
export function addStageVariable(stage: apigw.Stage, name: string, value: string, owner: string): void {
  if (!NAME.test(name)) {
    throw new ValidationError(`${owner}: stage variable name ${JSON.stringify(name)} must hold only letters, digits and '_'`, stage);
  }
  if (!VALUE.test(value)) {
    throw new ValidationError(`${owner}: stage variable ${name} cannot hold ${JSON.stringify(value)}: API Gateway allows only the characters A-Z a-z 0-9 - . _ ~ : / ? # & = ,`, stage);
  }
  if (value.length > STAGE_VARIABLE_MAX_LENGTH) {
    throw new ValidationError(`${owner}: stage variable ${name} would hold ${value.length} characters, but API Gateway allows at most ${STAGE_VARIABLE_MAX_LENGTH} in a REST API's stage variable: ${JSON.stringify(value.slice(0, 60))}...; shorten it`, stage);
  }
  let variables = VARIABLES.get(stage);
  if (!variables) {
    variables = new Map();
    VARIABLES.set(stage, variables);
    const cfnStage = stage.node.defaultChild as apigw.CfnStage;
    const given = cfnStage.variables as Record<string, string> | undefined;
    const rendered = variables;
    cfnStage.variables = Lazy.any({
      produce: () => ({ ...given, ...Object.fromEntries([...rendered].map(([key, variable]) => [key, variable.value])) }),
    });
  }
  const existing = variables.get(name);
  if (existing && existing.value !== value) {
    throw new ValidationError(`${owner} sets stage variable ${name} to ${JSON.stringify(value)}, but ${existing.owner} already set it to ${JSON.stringify(existing.value)}: give it one value`, stage);
  }
  if (!existing) {
    variables.set(name, { value, owner });
  }
}
