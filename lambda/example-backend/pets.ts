import { BodyError, ProxyResponse, jsonResponse, parseJsonBody } from '../shared/http';

/** A pet of the example catalogue. */
export interface Pet {
  readonly id: string;
  readonly name: string;
  readonly species: 'cat' | 'dog' | 'fish';
}

/** The parts of an API Gateway proxy event the example backend reads. */
export interface PetsRequest {
  readonly httpMethod: string;
  readonly resource: string;
  readonly pathParameters?: Record<string, string | undefined> | null;
  readonly body?: string | null;
  readonly isBase64Encoded?: boolean;
}

const SPECIES: readonly Pet['species'][] = ['cat', 'dog', 'fish'];
const PET_ID = /^[a-z0-9-]{1,64}$/;

/**
 * The example backend's logic: list, read and create pets in a catalogue held by the caller.
 * Pure: no AWS calls and no globals, so it is tested without mocks.
 */
export function handlePetsRequest(request: PetsRequest, catalogue: Map<string, Pet>): ProxyResponse {
  const route = `${request.httpMethod} ${request.resource}`;
  switch (route) {
    case 'GET /health':
      return jsonResponse(200, { status: 'ok' });
    case 'GET /pets':
      return jsonResponse(200, { pets: [...catalogue.values()] });
    case 'GET /pets/{petId}': {
      const petId = request.pathParameters?.petId;
      const pet = petId !== undefined && PET_ID.test(petId) ? catalogue.get(petId) : undefined;
      return pet ? jsonResponse(200, pet) : jsonResponse(404, { message: 'Not found' });
    }
    case 'POST /pets':
      return createPet(request, catalogue);
    default:
      return jsonResponse(404, { message: 'Not found' });
  }
}

function createPet(request: PetsRequest, catalogue: Map<string, Pet>): ProxyResponse {
  let input: unknown;
  try {
    input = parseJsonBody(request.body, request.isBase64Encoded);
  } catch (error) {
    if (error instanceof BodyError) {
      return jsonResponse(400, { message: 'Invalid request' });
    }
    throw error;
  }
  // API Gateway validated the body against the route's schema; check again, as defence in depth.
  const candidate = input as Partial<Record<keyof Pet, unknown>> | null;
  if (typeof candidate !== 'object' || candidate === null || typeof candidate.name !== 'string'
    || candidate.name.trim().length === 0 || candidate.name.length > 100 || /[\u0000-\u001f\u007f]/.test(candidate.name) || !SPECIES.includes(candidate.species as Pet['species'])) {
    return jsonResponse(400, { message: 'Invalid request' });
  }
  let next = catalogue.size + 1;
  while (catalogue.has(`pet-${next}`)) {
    next++;
  }
  const id = `pet-${next}`;
  const pet: Pet = { id, name: candidate.name, species: candidate.species as Pet['species'] };
  catalogue.set(id, pet);
  return jsonResponse(201, pet);
}

/** The catalogue a fresh function instance starts with. */
export function seedCatalogue(): Map<string, Pet> {
  return new Map<string, Pet>([
    ['pet-1', { id: 'pet-1', name: 'Tom', species: 'cat' }],
    ['pet-2', { id: 'pet-2', name: 'Rex', species: 'dog' }],
  ]);
}
