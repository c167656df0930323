import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { ProxyResponse, jsonResponse } from '../shared/http';
import { withApiResponseHeaders } from '../shared/response-headers';
import { handlePetsRequest, seedCatalogue } from './pets';

const logger = new Logger();
const catalogue = seedCatalogue();
const servedFrom = { region: process.env.AWS_REGION };

/** The example backend behind the example app's routes. */
export async function handler(event: APIGatewayProxyEvent): Promise<ProxyResponse> {
  let response: ProxyResponse;
  try {
    response = handlePetsRequest(event, catalogue, servedFrom);
    logger.info('request served', { route: `${event.httpMethod} ${event.resource}`, statusCode: response.statusCode, requestId: event.requestContext?.requestId });
  } catch (error) {
    logger.error('request failed', { error: error as Error, requestId: event.requestContext?.requestId });
    response = jsonResponse(500, { message: 'Internal server error' });
  }
  // CORS headers, and a deprecated version's Deprecation, Sunset and Link: API Gateway cannot add headers to a proxy response.
  return withApiResponseHeaders(event, response);
}
