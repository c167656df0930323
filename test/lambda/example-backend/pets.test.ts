import { Pet, PetsRequest, handlePetsRequest, seedCatalogue } from '../../../lambda/example-backend/pets';
import { SECURITY_HEADERS } from '../../../lambda/shared/constants';
import { ProxyResponse } from '../../../lambda/shared/http';

function get(resource: string, pathParameters?: Record<string, string | undefined> | null): PetsRequest {
  return { httpMethod: 'GET', resource, pathParameters };
}

function post(body: string | null | undefined, isBase64Encoded = false): PetsRequest {
  return { httpMethod: 'POST', resource: '/pets', body, isBase64Encoded };
}

function bodyOf(response: ProxyResponse): unknown {
  return JSON.parse(response.body);
}

const NOT_FOUND = { message: 'Not found' };
const INVALID = { message: 'Invalid request' };

describe('seedCatalogue', () => {
  test('holds Tom the cat and Rex the dog', () => {
    expect([...seedCatalogue().values()]).toEqual<Pet[]>([
      { id: 'pet-1', name: 'Tom', species: 'cat' },
      { id: 'pet-2', name: 'Rex', species: 'dog' },
    ]);
  });

  test('returns a fresh catalogue each time', () => {
    const first = seedCatalogue();
    first.clear();
    expect(seedCatalogue().size).toBe(2);
  });
});

describe('handlePetsRequest', () => {
  let catalogue: Map<string, Pet>;

  beforeEach(() => {
    catalogue = seedCatalogue();
  });

  describe('GET /health', () => {
    test('answers 200 with status ok', () => {
      const response = handlePetsRequest(get('/health'), catalogue);
      expect(response.statusCode).toBe(200);
      expect(bodyOf(response)).toEqual({ status: 'ok' });
    });

    test('names the region it runs in, for a failover drill to see which region answered', () => {
      expect(bodyOf(handlePetsRequest(get('/health'), catalogue, { region: 'eu-central-1' }))).toEqual({ status: 'ok', region: 'eu-central-1' });
    });
  });

  describe('GET /pets', () => {
    test('lists every pet of the catalogue', () => {
      const response = handlePetsRequest(get('/pets'), catalogue);
      expect(response.statusCode).toBe(200);
      expect(bodyOf(response)).toEqual({ pets: [...catalogue.values()] });
    });

    test('lists an empty catalogue as an empty array', () => {
      expect(bodyOf(handlePetsRequest(get('/pets'), new Map()))).toEqual({ pets: [] });
    });
  });

  describe('GET /pets/{petId}', () => {
    test('returns the pet', () => {
      const response = handlePetsRequest(get('/pets/{petId}', { petId: 'pet-2' }), catalogue);
      expect(response.statusCode).toBe(200);
      expect(bodyOf(response)).toEqual({ id: 'pet-2', name: 'Rex', species: 'dog' });
    });

    test('answers 404 for a well-formed id that is not in the catalogue', () => {
      const response = handlePetsRequest(get('/pets/{petId}', { petId: 'pet-99' }), catalogue);
      expect(response.statusCode).toBe(404);
      expect(bodyOf(response)).toEqual(NOT_FOUND);
    });

    test.each([
      ['upper case', 'PET-1'],
      ['a path traversal', '../pet-1'],
      ['a space', 'pet 1'],
      ['an underscore', '__proto__'],
      ['an empty id', ''],
      ['65 characters', 'a'.repeat(65)],
    ])('answers 404 for an invalid id with %s', (_why, petId) => {
      const response = handlePetsRequest(get('/pets/{petId}', { petId }), catalogue);
      expect(response.statusCode).toBe(404);
      expect(bodyOf(response)).toEqual(NOT_FOUND);
    });

    test('does not look up an invalid id even when the catalogue holds it', () => {
      catalogue.set('PET-1', { id: 'PET-1', name: 'Shouty', species: 'fish' });
      expect(handlePetsRequest(get('/pets/{petId}', { petId: 'PET-1' }), catalogue).statusCode).toBe(404);
    });

    test('accepts an id of 64 characters', () => {
      const id = 'a'.repeat(64);
      catalogue.set(id, { id, name: 'Long', species: 'fish' });
      expect(handlePetsRequest(get('/pets/{petId}', { petId: id }), catalogue).statusCode).toBe(200);
    });

    test.each<[string, Record<string, string | undefined> | null | undefined]>([
      ['no path parameters', undefined],
      ['null path parameters', null],
      ['no petId', {}],
      ['an undefined petId', { petId: undefined }],
    ])('answers 404 with %s', (_why, pathParameters) => {
      expect(handlePetsRequest(get('/pets/{petId}', pathParameters), catalogue).statusCode).toBe(404);
    });

    test('does not find inherited properties of the catalogue, such as "constructor"', () => {
      expect(handlePetsRequest(get('/pets/{petId}', { petId: 'constructor' }), catalogue).statusCode).toBe(404);
    });
  });

  describe('POST /pets', () => {
    test('creates a pet and answers 201 with it', () => {
      const response = handlePetsRequest(post('{"name":"Nemo","species":"fish"}'), catalogue);
      expect(response.statusCode).toBe(201);
      expect(bodyOf(response)).toEqual({ id: 'pet-3', name: 'Nemo', species: 'fish' });
    });

    test('adds the pet to the catalogue, where GET finds it', () => {
      handlePetsRequest(post('{"name":"Nemo","species":"fish"}'), catalogue);
      expect(catalogue.size).toBe(3);
      expect(catalogue.get('pet-3')).toEqual({ id: 'pet-3', name: 'Nemo', species: 'fish' });
      expect(bodyOf(handlePetsRequest(get('/pets/{petId}', { petId: 'pet-3' }), catalogue))).toEqual({ id: 'pet-3', name: 'Nemo', species: 'fish' });
      expect((bodyOf(handlePetsRequest(get('/pets'), catalogue)) as { pets: Pet[] }).pets).toHaveLength(3);
    });

    test('gives successive pets successive ids', () => {
      handlePetsRequest(post('{"name":"A","species":"cat"}'), catalogue);
      const response = handlePetsRequest(post('{"name":"B","species":"dog"}'), catalogue);
      expect((bodyOf(response) as Pet).id).toBe('pet-4');
    });

    test('never overwrites an existing pet', () => {
      const sparse = new Map<string, Pet>([['pet-2', { id: 'pet-2', name: 'Rex', species: 'dog' }]]);
      const response = handlePetsRequest(post('{"name":"Nemo","species":"fish"}'), sparse);
      expect(response.statusCode).toBe(201);
      expect(sparse.get('pet-2')).toEqual({ id: 'pet-2', name: 'Rex', species: 'dog' });
      expect(sparse.size).toBe(2);
    });

    test('ignores an id and other fields in the body', () => {
      const response = handlePetsRequest(post('{"id":"pet-1","name":"Impostor","species":"cat","owner":"eve"}'), catalogue);
      expect(response.statusCode).toBe(201);
      expect(bodyOf(response)).toEqual({ id: 'pet-3', name: 'Impostor', species: 'cat' });
      expect(catalogue.get('pet-1')?.name).toBe('Tom');
    });

    test('accepts a base64-encoded body', () => {
      const body = Buffer.from('{"name":"Nemo","species":"fish"}').toString('base64');
      const response = handlePetsRequest(post(body, true), catalogue);
      expect(response.statusCode).toBe(201);
      expect((bodyOf(response) as Pet).name).toBe('Nemo');
    });

    test('accepts names of 1 and 100 characters', () => {
      expect(handlePetsRequest(post('{"name":"A","species":"cat"}'), catalogue).statusCode).toBe(201);
      expect(handlePetsRequest(post(JSON.stringify({ name: 'a'.repeat(100), species: 'cat' })), catalogue).statusCode).toBe(201);
    });

    test('drops a "__proto__" key from the body', () => {
      const response = handlePetsRequest(post('{"name":"Nemo","species":"fish","__proto__":{"polluted":1}}'), catalogue);
      expect(response.statusCode).toBe(201);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.keys(catalogue.get('pet-3') ?? {})).toEqual(['id', 'name', 'species']);
    });

    test.each<[string, string | null | undefined]>([
      ['no body', undefined],
      ['a null body', null],
      ['an empty body', ''],
      ['invalid JSON', '{"name":'],
      ['JSON null', 'null'],
      ['a JSON array', '[{"name":"Nemo","species":"fish"}]'],
      ['a JSON string', '"Nemo"'],
      ['a JSON number', '42'],
      ['no name', '{"species":"fish"}'],
      ['an empty name', '{"name":"","species":"fish"}'],
      ['a name of 101 characters', JSON.stringify({ name: 'a'.repeat(101), species: 'fish' })],
      ['a name that is not a string', '{"name":42,"species":"fish"}'],
      ['no species', '{"name":"Nemo"}'],
      ['an unknown species', '{"name":"Nemo","species":"bird"}'],
      ['a species in the wrong case', '{"name":"Nemo","species":"Fish"}'],
      ['a body over 64 KiB', JSON.stringify({ name: 'Nemo', species: 'fish', padding: 'x'.repeat(70_000) })],
    ])('answers 400 for %s and leaves the catalogue unchanged', (_why, body) => {
      const response = handlePetsRequest(post(body), catalogue);
      expect(response.statusCode).toBe(400);
      expect(bodyOf(response)).toEqual(INVALID);
      expect(catalogue.size).toBe(2);
    });

    test('answers 400 for a base64 body that does not decode to JSON', () => {
      expect(handlePetsRequest(post(Buffer.from('not json').toString('base64'), true), catalogue).statusCode).toBe(400);
    });
  });

  describe('PUT /pets/{petId}', () => {
    const put = (petId: string, body: string): PetsRequest => ({ httpMethod: 'PUT', resource: '/pets/{petId}', pathParameters: { petId }, body });

    test('replaces the pet and answers 200 with it', () => {
      const response = handlePetsRequest(put('pet-1', '{"name":"Felix","species":"cat"}'), catalogue);
      expect(response.statusCode).toBe(200);
      expect(bodyOf(response)).toEqual({ id: 'pet-1', name: 'Felix', species: 'cat' });
      expect(catalogue.get('pet-1')).toEqual({ id: 'pet-1', name: 'Felix', species: 'cat' });
    });

    test('answers 404 for a pet that does not exist, and creates nothing', () => {
      expect(bodyOf(handlePetsRequest(put('pet-9', '{"name":"Felix","species":"cat"}'), catalogue))).toEqual(NOT_FOUND);
      expect(catalogue.has('pet-9')).toBe(false);
    });

    test('answers 400 for an invalid body and leaves the pet unchanged', () => {
      const response = handlePetsRequest(put('pet-1', '{"name":"","species":"cat"}'), catalogue);
      expect(response.statusCode).toBe(400);
      expect(bodyOf(response)).toEqual(INVALID);
      expect(catalogue.get('pet-1')?.name).toBe('Tom');
    });
  });

  describe('DELETE /pets/{petId}', () => {
    const del = (petId: string): PetsRequest => ({ httpMethod: 'DELETE', resource: '/pets/{petId}', pathParameters: { petId } });

    test('removes the pet', () => {
      const response = handlePetsRequest(del('pet-2'), catalogue);
      expect(response.statusCode).toBe(200);
      expect(bodyOf(response)).toEqual({ id: 'pet-2', deleted: true });
      expect(catalogue.has('pet-2')).toBe(false);
    });

    test('answers 404 for a missing pet or an invalid id', () => {
      expect(handlePetsRequest(del('pet-9'), catalogue).statusCode).toBe(404);
      expect(handlePetsRequest(del('../pet-1'), catalogue).statusCode).toBe(404);
      expect(catalogue.size).toBe(2);
    });
  });

  describe('other routes', () => {
    test.each([
      ['DELETE', '/pets'],
      ['PATCH', '/pets/{petId}'],
      ['POST', '/health'],
      ['GET', '/owners'],
      ['get', '/pets'],
      ['GET', '/pets/'],
      ['GET', '/'],
    ])('%s %s answers 404', (httpMethod, resource) => {
      const response = handlePetsRequest({ httpMethod, resource, pathParameters: { petId: 'pet-1' } }, catalogue);
      expect(response.statusCode).toBe(404);
      expect(bodyOf(response)).toEqual(NOT_FOUND);
      expect(catalogue.size).toBe(2);
    });

    test('match on the resource template, not the concrete path', () => {
      expect(handlePetsRequest(get('/pets/pet-1', { petId: 'pet-1' }), catalogue).statusCode).toBe(404);
    });
  });

  describe('security headers', () => {
    test.each<[string, PetsRequest]>([
      ['200 from GET /health', get('/health')],
      ['200 from GET /pets', get('/pets')],
      ['200 from GET /pets/{petId}', get('/pets/{petId}', { petId: 'pet-1' })],
      ['201 from POST /pets', post('{"name":"Nemo","species":"fish"}')],
      ['400 from POST /pets', post('{')],
      ['404 from GET /pets/{petId}', get('/pets/{petId}', { petId: 'pet-99' })],
      ['404 from an unknown route', get('/unknown')],
    ])('are on the %s', (_which, request) => {
      const response = handlePetsRequest(request, catalogue);
      expect(response.headers).toMatchObject({ 'Content-Type': 'application/json', ...SECURITY_HEADERS });
      expect(response.headers['Strict-Transport-Security']).toBe('max-age=63072000; includeSubDomains');
      expect(response.headers['X-Content-Type-Options']).toBe('nosniff');
    });
  });
});
