import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { ProxyResponse, jsonResponse } from '../shared/http';
import { handlePetsRequest, seedCatalogue } from './pets';

const logger = new Logger();
const catalogue = seedCatalogue();

/** The example backend behind the example app's routes. */
export async function handler(event: APIGatewayProxyEvent): Promise<ProxyResponse> {
  try {
    const response = handlePetsRequest(event, catalogue);
    logger.info('request served', { route: `${event.httpMethod} ${event.resource}`, statusCode: response.statusCode, requestId: event.requestContext?.requestId });
    return response;
  } catch (error) {
    logger.error('request failed', { error: error as Error, requestId: event.requestContext?.requestId });
    return jsonResponse(500, { message: 'Internal server error' });
  }
}
