/** The tool contract for asking input, and the seal on the function's requestState. */
import { isInputProblem, MAX_INPUT_REQUESTS, parseInputRequired, withInputResponses } from '../../lambda-src/s2c/input-required-contract';
import { RequestStateSeal } from '../../lambda-src/s2c/request-state-seal';
import { createDocumentClient } from '../../lambda-src/store/dynamodb-client';
import { dynamoDbSealKey, processSealKey } from '../../lambda-src/store/dynamodb-seal-key';
import { createTestTables, startDynamoDbLocal, type DynamoDbLocal } from '../support/dynamodb-local';

const elicit = { method: 'elicitation/create', params: { message: 'Deploy?', requestedSchema: { type: 'object', properties: { ok: { type: 'boolean' } } } } };

describe('parseInputRequired', () => {
  test('an ordinary result is not a request for input', () => {
    expect(parseInputRequired({ content: [] })).toBeUndefined();
    expect(parseInputRequired('text')).toBeUndefined();
    expect(parseInputRequired({ resultType: 'complete' })).toBeUndefined();
  });

  test('the 2026-07-28 shape is read as it is', () => {
    expect(parseInputRequired({ resultType: 'input_required', inputRequests: { confirm: elicit }, requestState: 'step-2' }))
      .toEqual({ inputRequests: { confirm: elicit }, requestState: 'step-2' });
    expect(parseInputRequired({ resultType: 'input_required', inputRequests: { roots: { method: 'roots/list' } } }))
      .toEqual({ inputRequests: { roots: { method: 'roots/list' } } });
    expect(parseInputRequired({ resultType: 'input_required', requestState: 'poll-again' })).toEqual({ requestState: 'poll-again' });
  });

  test.each([
    [{ resultType: 'input_required' }, /needs 'inputRequests' or 'requestState'/],
    [{ resultType: 'input_required', requestState: 5 }, /'requestState' must be a string/],
    [{ resultType: 'input_required', inputRequests: [] }, /must be an object/],
    [{ resultType: 'input_required', inputRequests: { 'bad key!': elicit } }, /key "bad key!" must be/],
    [{ resultType: 'input_required', inputRequests: { a: { method: 'tools/call', params: {} } } }, /"tools\/call" is not one of/],
    [{ resultType: 'input_required', inputRequests: { a: { method: 'elicitation/create' } } }, /needs 'params'/],
    [{ resultType: 'input_required', requestState: 'x'.repeat(16 * 1024 + 1) }, /over the 16384-byte limit/],
    [{ resultType: 'input_required', inputRequests: Object.fromEntries(Array.from({ length: MAX_INPUT_REQUESTS + 1 }, (_, i) => [`k${i}`, elicit])) }, /at most 8/],
  ])('a malformed request for input is named: %#', (payload, problem) => {
    const parsed = parseInputRequired(payload);
    expect(parsed && isInputProblem(parsed) && parsed.problem).toMatch(problem);
  });

  test('the retried event carries the answers and the state beside the tool event', () => {
    const event = { tool: 't', arguments: { a: 1 }, context: { requestId: 'r', protocolVersion: '2025-11-25' } };
    expect(withInputResponses(event, { inputResponses: { confirm: { action: 'accept', content: { ok: true } } }, requestState: 's' }))
      .toEqual({ ...event, inputResponses: { confirm: { action: 'accept', content: { ok: true } } }, requestState: 's' });
    expect(withInputResponses(event, {})).toEqual(event);
  });
});

describe('RequestStateSeal', () => {
  const key = processSealKey();

  test('a sealed state opens for the same tool and caller only', async () => {
    const seal = new RequestStateSeal(key);
    const sealed = await seal.seal('step-2', { tool: 'deploy', caller: 'principal#iam#arn:a' });
    expect(sealed).not.toContain('step-2');
    expect(await seal.open(sealed, { tool: 'deploy', caller: 'principal#iam#arn:a' })).toBe('step-2');
    expect(await seal.open(sealed, { tool: 'other', caller: 'principal#iam#arn:a' })).toBeUndefined();
    expect(await seal.open(sealed, { tool: 'deploy', caller: 'principal#iam#arn:b' })).toBeUndefined();
    expect(await seal.open(sealed, { tool: 'deploy' })).toBeUndefined();
  });

  test('an altered, foreign or expired state does not open', async () => {
    let now = Date.now();
    const seal = new RequestStateSeal(key, { maxAgeSeconds: 60, now: () => now });
    const sealed = await seal.seal('s', { tool: 't' });
    const [v, payload, mac] = sealed.split('.');
    const forged = Buffer.from(JSON.stringify({ s: 'admin', t: 't', c: null, e: 9e9 })).toString('base64url');
    expect(await seal.open(`${v}.${forged}.${mac}`, { tool: 't' })).toBeUndefined();
    expect(await seal.open(`${v}.${payload}.${mac.slice(0, -2)}AA`, { tool: 't' })).toBeUndefined();
    expect(await seal.open('step-2', { tool: 't' })).toBeUndefined();
    expect(await new RequestStateSeal(processSealKey()).open(sealed, { tool: 't' })).toBeUndefined();
    now += 61_000;
    expect(await seal.open(sealed, { tool: 't' })).toBeUndefined();
  });

  describe('with the key in DynamoDB', () => {
    let emulator: DynamoDbLocal;
    beforeAll(async () => {
      emulator = await startDynamoDbLocal();
    });
    afterAll(async () => emulator?.stop());

    test('two environments racing to create the key end up with the same one', async () => {
      const { sessionTable } = await createTestTables(emulator.endpoint);
      const a = createDocumentClient({ endpoint: emulator.endpoint });
      const b = createDocumentClient({ endpoint: emulator.endpoint });
      try {
        const keyOf = (client: typeof a) => dynamoDbSealKey({ client, tableName: sessionTable })();
        const [ka, kb] = await Promise.all([keyOf(a), keyOf(b)]);
        expect(Buffer.from(ka).equals(Buffer.from(kb))).toBe(true);
        const sealed = await new RequestStateSeal(dynamoDbSealKey({ client: a, tableName: sessionTable })).seal('x', { tool: 't' });
        expect(await new RequestStateSeal(dynamoDbSealKey({ client: b, tableName: sessionTable })).open(sealed, { tool: 't' })).toBe('x');
      } finally {
        a.destroy();
        b.destroy();
      }
    });
  });
});
