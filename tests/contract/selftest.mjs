// Proves that validate.mjs can fail: a small in-memory OpenAPI document and a
// set of exchanges, good and bad, for which the exact failures are known.
// Run with `npm test`; exits non-zero on the first mismatch.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { documentedOperations, matchPath, validateExchanges } from './validate.mjs';

const here = dirname(fileURLToPath(import.meta.url));

const problem = { $ref: '#/components/schemas/Problem' };
const doc = {
  openapi: '3.1.0',
  info: { title: 'selftest', version: '1' },
  paths: {
    '/items/{id}': {
      get: {
        responses: {
          200: { description: 'one', content: { 'application/json': { schema: { $ref: '#/components/schemas/Item' } } } },
          404: { $ref: '#/components/responses/NotFound' },
        },
      },
      delete: {
        responses: {
          204: { description: 'gone' },
          '4XX': { $ref: '#/components/responses/NotFound' },
        },
      },
    },
    '/items/mine': {
      get: {
        responses: {
          200: {
            description: 'mine',
            content: {
              'application/json; charset=utf-8': {
                schema: { type: 'array', items: { $ref: '#/components/schemas/Item' } },
              },
            },
          },
          default: { description: 'any error', content: { 'application/problem+json': { schema: problem } } },
        },
      },
    },
    '/metrics': {
      get: { responses: { 200: { description: 'text', content: { 'text/plain; version=0.0.4': { schema: { type: 'string' } } } } } },
    },
    '/never': { get: { responses: { 200: { description: 'never called' } } } },
  },
  components: {
    schemas: {
      Item: {
        type: 'object',
        required: ['id', 'count'],
        properties: { id: { type: 'string', format: 'uuid' }, count: { type: 'integer', format: 'int32' } },
      },
      Problem: {
        type: 'object',
        required: ['type', 'title', 'status', 'code'],
        properties: {
          type: { type: 'string', format: 'uri-reference' },
          title: { type: 'string' },
          status: { type: 'integer' },
          code: { type: 'string', pattern: '^[a-z_]+(\\.[a-z_]+)+$' },
        },
      },
    },
    responses: {
      NotFound: { description: 'not found', content: { 'application/problem+json': { schema: problem } } },
    },
  },
};

const ID = '6f1c2a3e-0b4d-4c5e-8f90-a1b2c3d4e5f6';
const item = JSON.stringify({ id: ID, count: 3 });
const prob = (extra) => JSON.stringify({ type: 'about:blank', title: 'Not Found', status: 404, ...extra });
const json = 'application/json';
const pjson = 'application/problem+json';

const good = [
  { method: 'GET', path: `/items/${ID}?limit=5`, status: 200, content_type: json, body: item },
  { method: 'get', path: `/items/${ID}`, status: 200, content_type: 'application/json; charset=utf-8', body: item },
  // The literal template wins over /items/{id}: an array is right here.
  { method: 'GET', path: '/items/mine', status: 200, content_type: json, body: `[${item}]` },
  { method: 'GET', path: '/items/mine', status: 503, content_type: pjson, body: prob({ status: 503, code: 'db.unavailable' }) },
  { method: 'GET', path: '/items/x', status: 404, content_type: pjson, body: prob({ code: 'http.not_found' }) },
  { method: 'DELETE', path: '/items/x', status: 204, content_type: '', body: '' },
  { method: 'DELETE', path: '/items/x', status: 409, content_type: pjson, body: prob({ status: 409, code: 'request.conflict' }) },
  { method: 'GET', path: '/metrics', status: 200, content_type: 'text/plain; version=0.0.4; charset=utf-8', body: '# HELP x\nx 1\n' },
];

const bad = [
  [{ method: 'GET', path: `/items/${ID}`, status: 200, content_type: json, body: JSON.stringify({ id: ID, count: '3' }) },
    'GET', `/items/${ID}`, 200, /^schema: body\/count must be integer$/],
  [{ method: 'GET', path: `/items/${ID}`, status: 500, content_type: pjson, body: prob({ status: 500, code: 'internal.error' }) },
    'GET', `/items/${ID}`, 500, /^undocumented status 500 for GET \/items\/\{id\}/],
  [{ method: 'GET', path: '/nope?x=1', status: 404, content_type: pjson, body: prob({ code: 'http.not_found' }) },
    'GET', '/nope?x=1', 404, /^undocumented route \/nope$/],
  [{ method: 'GET', path: '/items/x', status: 404, content_type: pjson, body: prob({}) },
    'GET', '/items/x', 404, /^schema: body must have required property 'code'$/],
  [{ method: 'PUT', path: '/items/x', status: 200, content_type: json, body: item },
    'PUT', '/items/x', 200, /^undocumented operation PUT \/items\/\{id\} \(documented: GET, DELETE\)$/],
  [{ method: 'GET', path: '/items/x', status: 200, content_type: 'text/html', body: '<p>' },
    'GET', '/items/x', 200, /^undocumented content type text\/html/],
  [{ method: 'GET', path: '/items/x', status: 200, content_type: json, body: '{"id":' },
    'GET', '/items/x', 200, /^body is not valid JSON/],
  [{ method: 'GET', path: '/items/x', status: 200, content_type: json, body: JSON.stringify({ id: 'not-a-uuid', count: 1 }) },
    'GET', '/items/x', 200, /^schema: body\/id must match format "uuid"$/],
  [{ method: 'GET', path: '/items/', status: 200, content_type: json, body: item },
    'GET', '/items/', 200, /^undocumented route \/items\/$/],
  [{ method: 'GET', path: '/items/x', status: 404, content_type: pjson, body: prob({ code: 'NotDotted' }) },
    'GET', '/items/x', 404, /^schema: body\/code must match pattern/],
  [{ method: 'GET', path: '/items/x', status: 200, content_type: '', body: item },
    'GET', '/items/x', 200, /^no Content-Type/],
  // The schema under a media-type key with parameters is applied too.
  [{ method: 'GET', path: '/items/mine', status: 200, content_type: json, body: JSON.stringify([{ id: ID }]) },
    'GET', '/items/mine', 200, /^schema: body\/0 must have required property 'count'$/],
  [{ method: 'GET', path: '/never', status: 200, content_type: json, body: '{}' },
    'GET', '/never', 200, /^response 200 declares no content/],
];

// --- path matching
assert.equal(matchPath(doc, '/items/mine'), '/items/mine');
assert.equal(matchPath(doc, '/items/other'), '/items/{id}');
assert.equal(matchPath(doc, '/items/a/b'), null);
assert.equal(matchPath(doc, '/items/'), null);

// --- good exchanges all pass
{
  const r = validateExchanges(doc, good);
  assert.deepEqual(r.failures, [], 'good exchanges must pass');
  assert.equal(r.passed, good.length);
  assert.deepEqual(r.uncovered, [{ method: 'GET', path: '/never' }]);
}

// --- each bad exchange fails, with exactly the expected message
{
  const r = validateExchanges(doc, [...good, ...bad.map((b) => b[0])]);
  assert.equal(r.passed, good.length);
  assert.equal(r.failures.length, bad.length, `expected ${bad.length} failures, got:\n${JSON.stringify(r.failures, null, 2)}`);
  bad.forEach(([, method, path, status, re], i) => {
    const f = r.failures[i];
    assert.equal(f.method, method);
    assert.equal(f.path, path);
    assert.equal(f.status, status);
    assert.match(f.message, re, `failure ${i}: ${f.message}`);
  });
}

// --- malformed records are failures, not crashes
{
  const r = validateExchanges(doc, [null, { method: 'GET', path: '/metrics' }, { method: 'GET', path: 'metrics', status: 200 }]);
  assert.equal(r.passed, 0);
  assert.equal(r.failures.length, 3);
}

// --- the real document: its operations and a few exchanges
{
  const real = YAML.parse(readFileSync(join(here, '../../openapi.yaml'), 'utf8'));
  const ops = documentedOperations(real).map((o) => `${o.method} ${o.path}`).sort();
  for (const op of ['GET /healthz', 'GET /metrics', 'GET /openapi.yaml', 'GET /readyz'])
    assert.ok(ops.includes(op), `${op} is documented`);
  const r = validateExchanges(real, [
    { method: 'GET', path: '/healthz', status: 200, content_type: json, body: '{"status":"ok"}' },
    { method: 'GET', path: '/healthz', status: 200, content_type: json, body: '{"status":"up"}' },
    { method: 'GET', path: '/nope', status: 404, content_type: pjson, body: prob({ code: 'http.not_found', detail: 'x', request_id: 'r' }) },
  ]);
  assert.equal(r.passed, 1);
  assert.deepEqual(r.failures.map((f) => f.message.split(' ')[0]), ['schema:', 'undocumented']);
}

// --- the command line: summary line, exit codes, empty recording, --require-all
{
  const dir = mkdtempSync(join(tmpdir(), 'contract-selftest-'));
  try {
    const docFile = join(dir, 'openapi.yaml');
    writeFileSync(docFile, YAML.stringify(doc));
    const lines = (xs) => xs.map((x) => JSON.stringify(x)).join('\n') + '\n';
    const goodFile = join(dir, 'good.jsonl');
    const badFile = join(dir, 'bad.jsonl');
    const emptyFile = join(dir, 'empty.jsonl');
    writeFileSync(goodFile, lines(good));
    writeFileSync(badFile, lines(bad.map((b) => b[0])) + 'not json\n');
    writeFileSync(emptyFile, '\n');
    const run = (...args) => spawnSync(process.execPath, [join(here, 'validate.mjs'), ...args], { encoding: 'utf8' });

    let p = run(docFile, goodFile);
    assert.equal(p.status, 0, p.stdout + p.stderr);
    assert.equal(p.stdout, `${good.length} passed, 0 failed\n`);

    p = run(docFile, goodFile, badFile);
    assert.equal(p.status, 1);
    const out = p.stdout.trimEnd().split('\n');
    assert.equal(out.at(-1), `${good.length} passed, ${bad.length + 1} failed`);
    assert.equal(out.length, bad.length + 2);
    assert.match(out[0], /^GET \/items\/6f1c\S+ 200: schema: body\/count must be integer \(.*bad\.jsonl:1\)$/);

    p = run(docFile, emptyFile);
    assert.equal(p.status, 1, 'an empty recording must fail');
    assert.match(p.stdout, /no exchanges recorded/);
    assert.match(p.stdout, /\n0 passed, 0 failed\n$/);

    p = run('--require-all', docFile, goodFile);
    assert.equal(p.status, 1, '--require-all must fail on an unexercised operation');
    assert.match(p.stdout, /^GET \/never: not exercised by any exchange$/m);
    assert.match(p.stdout, /\n8 passed, 0 failed\n$/);

    p = run(docFile);
    assert.equal(p.status, 2, 'missing record file argument is a usage error');
    p = run(docFile, join(dir, 'absent.jsonl'));
    assert.equal(p.status, 2, 'an unreadable record file cannot be checked');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

process.stdout.write('selftest: all checks passed\n');
