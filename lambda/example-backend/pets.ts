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

/** Where the backend runs, for the health route's answer. */
export interface ServedFrom {
  /** The AWS region, such as `eu-west-1`. */
  readonly region?: string;
}

/**
 * The example backend's logic: list, read, create, replace and delete pets in a catalogue held by
 * the caller.
 * Pure: no AWS calls and no globals, so it is tested without mocks.
 */
export function handlePetsRequest(request: PetsRequest, catalogue: Map<string, Pet>, servedFrom: ServedFrom = {}): ProxyResponse {
  const route = `${request.httpMethod} ${request.resource}`;
  switch (route) {
    case 'GET /health':
      // The region lets a failover drill see which region answered (an API's regions are no secret: DNS names them).
      return jsonResponse(200, { status: 'ok', ...(servedFrom.region ? { region: servedFrom.region } : {}) });
    case 'GET /pets':
      return jsonResponse(200, { pets: [...catalogue.values()] });
    case 'GET /pets/{petId}': {
      const pet = findPet(request, catalogue);
      return pet ? jsonResponse(200, pet) : NOT_FOUND();
    }
    case 'POST /pets':
      return createPet(request, catalogue);
    case 'PUT /pets/{petId}':
      return replacePet(request, catalogue);
    case 'DELETE /pets/{petId}': {
      const pet = findPet(request, catalogue);
      if (!pet) {
        return NOT_FOUND();
      }
      catalogue.delete(pet.id);
      return jsonResponse(200, { id: pet.id, deleted: true });
    }
    default:
      return NOT_FOUND();
  }
}

const NOT_FOUND = () => jsonResponse(404, { message: 'Not found' });
const INVALID = () => jsonResponse(400, { message: 'Invalid request' });

/** The pet named by the `petId` path parameter, if the id is well-formed and in the catalogue. */
function findPet(request: PetsRequest, catalogue: Map<string, Pet>): Pet | undefined {
  const petId = request.pathParameters?.petId;
  return petId !== undefined && PET_ID.test(petId) ? catalogue.get(petId) : undefined;
}

function createPet(request: PetsRequest, catalogue: Map<string, Pet>): ProxyResponse {
  const input = petInput(request);
  if (!input) {
    return INVALID();
  }
  let next = catalogue.size + 1;
  while (catalogue.has(`pet-${next}`)) {
    next++;
  }
  const pet: Pet = { id: `pet-${next}`, ...input };
  catalogue.set(pet.id, pet);
  return jsonResponse(201, pet);
}

function replacePet(request: PetsRequest, catalogue: Map<string, Pet>): ProxyResponse {
  const existing = findPet(request, catalogue);
  if (!existing) {
    return NOT_FOUND();
  }
  const input = petInput(request);
  if (!input) {
    return INVALID();
  }
  const pet: Pet = { id: existing.id, ...input };
  catalogue.set(pet.id, pet);
  return jsonResponse(200, pet);
}

/**
 * The name and species of the request's JSON body, or undefined if the body is not a valid pet.
 * API Gateway validated the body against the route's schema; this checks again, as defence in depth.
 */
function petInput(request: PetsRequest): Omit<Pet, 'id'> | undefined {
  let input: unknown;
  try {
    input = parseJsonBody(request.body, request.isBase64Encoded);
  } catch (error) {
    if (error instanceof BodyError) {
      return undefined;
    }
    throw error;
  }
  const candidate = input as Partial<Record<keyof Pet, unknown>> | null;
  if (typeof candidate !== 'object' || candidate === null || typeof candidate.name !== 'string'
    || candidate.name.trim().length === 0 || candidate.name.length > 100 || /[\u0000-\u001f\u007f]/.test(candidate.name) || !SPECIES.includes(candidate.species as Pet['species'])) {
    return undefined;
  }
  return { name: candidate.name, species: candidate.species as Pet['species'] };
}

/** The catalogue a fresh function instance starts with. */
export function seedCatalogue(): Map<string, Pet> {
  return new Map<string, Pet>([
    ['pet-1', { id: 'pet-1', name: 'Tom', species: 'cat' }],
    ['pet-2', { id: 'pet-2', name: 'Rex', species: 'dog' }],
  ]);
}
