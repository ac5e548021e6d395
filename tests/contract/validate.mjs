// Checks recorded HTTP exchanges against an OpenAPI 3.1 document.
//
//   node validate.mjs [--require-all] OPENAPI_PATH RECORD_FILE...
//
// Each RECORD_FILE is JSON Lines, one exchange per line, as the integration
// tests write them:
//   {"method":"GET","path":"/readyz?x=1","status":200,
//    "content_type":"application/json","body":"{\"status\":\"ready\",...}"}
//
// For every exchange the path (query stripped) must match a documented path
// template, the method a documented operation, the status a documented
// response (exact code, then a range such as 4XX, then default), and the
// media type of content_type (parameters ignored) a declared content entry.
// JSON bodies (application/json, application/problem+json, */*+json) are
// parsed and validated against the declared schema with Ajv (JSON Schema
// 2020-12, which is what OpenAPI 3.1 schemas are). Other media types are
// checked by type only. With --require-all, every documented operation must
// also have been exercised by at least one exchange.
//
// Output: one line per failure, "METHOD PATH STATUS: message", then the
// summary "N passed, M failed". Exit status: 0 all passed, 1 any failure (an
// empty recording, or an unexercised operation under --require-all, counts as
// a failure), 2 the check could not run (usage, unreadable file, bad YAML).
//
// The design choice that matters: the core, validateExchanges(), is a pure
// function of (document, exchanges) so that selftest.mjs can prove it fails
// on bad input with an in-memory document, without files or a server.

import { readFileSync, realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import YAML from 'yaml';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const DOC_ID = 'https://contract.invalid/openapi.json';

// -------------------------------------------------------------- utilities

function escapePointer(token) {
  return String(token).replace(/~/g, '~0').replace(/\//g, '~1');
}

function unescapePointer(token) {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

// Follows a local "#/a/b" reference chain. Returns {node, pointer} where
// pointer is the JSON Pointer (without '#') of the node finally reached.
function resolveLocal(doc, node, pointer) {
  const seen = new Set();
  while (node && typeof node === 'object' && typeof node.$ref === 'string') {
    const ref = node.$ref;
    if (!ref.startsWith('#/')) throw new Error(`unsupported $ref ${ref} (only local references)`);
    if (seen.has(ref)) throw new Error(`circular $ref ${ref}`);
    seen.add(ref);
    pointer = ref.slice(1);
    node = doc;
    for (const token of pointer.slice(1).split('/')) {
      if (node === null || typeof node !== 'object') { node = undefined; break; }
      node = node[unescapePointer(token)];
    }
    if (node === undefined) throw new Error(`unresolvable $ref ${ref}`);
  }
  return { node, pointer };
}

// "Application/Problem+JSON; charset=utf-8" -> "application/problem+json"
export function mediaTypeOf(contentType) {
  if (typeof contentType !== 'string') return '';
  return contentType.split(';')[0].trim().toLowerCase();
}

export function isJsonMediaType(mediaType) {
  return mediaType === 'application/json' || mediaType.endsWith('+json');
}

function splitPath(path) {
  // "/a/b" -> ["a", "b"]; "/" -> [""]
  return path.split('/').slice(1);
}

// Matches a concrete path against the document's templates. Among several
// matches the one with a literal segment where the others have a parameter,
// earliest such position first, wins ("/requests/mine" over "/requests/{id}").
export function matchPath(doc, path) {
  const segments = splitPath(path);
  let best = null;
  for (const template of Object.keys(doc.paths ?? {})) {
    const tsegs = splitPath(template);
    if (tsegs.length !== segments.length) continue;
    const shape = [];
    let ok = true;
    for (let i = 0; i < tsegs.length && ok; i++) {
      const t = tsegs[i];
      if (/^\{[^{}\/]+\}$/.test(t)) {
        ok = segments[i].length > 0;
        shape.push(1);
      } else {
        ok = t === segments[i];
        shape.push(0);
      }
    }
    if (!ok) continue;
    if (best === null || compareShapes(shape, best.shape) < 0) best = { template, shape };
  }
  return best ? best.template : null;
}

function compareShapes(a, b) {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

function findResponse(responses, status) {
  const code = String(status);
  if (Object.hasOwn(responses, code)) return code;
  const range = `${code[0]}XX`;
  for (const key of Object.keys(responses)) if (key.toUpperCase() === range) return key;
  if (Object.hasOwn(responses, 'default')) return 'default';
  return null;
}

function findMediaType(content, mediaType) {
  const keys = Object.keys(content);
  for (const key of keys) if (mediaTypeOf(key) === mediaType) return key;
  const [type] = mediaType.split('/');
  for (const key of keys) if (mediaTypeOf(key) === `${type}/*`) return key;
  for (const key of keys) if (mediaTypeOf(key) === '*/*') return key;
  return null;
}

function describeAjvErrors(errors) {
  const parts = errors.slice(0, 5).map((e) => {
    const where = e.instancePath === '' ? 'body' : `body${e.instancePath}`;
    let msg = `${where} ${e.message}`;
    if (e.keyword === 'additionalProperties') msg += ` (${e.params.additionalProperty})`;
    if (e.keyword === 'const') msg += ` (${JSON.stringify(e.params.allowedValue)})`;
    if (e.keyword === 'enum') msg += ` (${e.params.allowedValues.map((v) => JSON.stringify(v)).join(', ')})`;
    return msg;
  });
  if (errors.length > 5) parts.push(`and ${errors.length - 5} more`);
  return parts.join('; ');
}

function newAjv(doc) {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false, logger: false });
  addFormats(ajv);
  // OpenAPI's own format names, so they are checked (numbers) or accepted.
  const int = (bits) => (x) => Number.isInteger(x) && x >= -(2 ** (bits - 1)) && x <= 2 ** (bits - 1) - 1;
  ajv.addFormat('int32', { type: 'number', validate: int(32) });
  ajv.addFormat('int64', { type: 'number', validate: (x) => Number.isInteger(x) });
  ajv.addFormat('float', { type: 'number', validate: () => true });
  ajv.addFormat('double', { type: 'number', validate: () => true });
  ajv.addFormat('byte', /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/);
  ajv.addFormat('binary', true);
  ajv.addFormat('password', true);
  // The whole document is one schema resource, so "#/components/schemas/X"
  // inside any schema resolves against it.
  ajv.addSchema(structuredClone(doc), DOC_ID);
  return ajv;
}

// ------------------------------------------------------------------- core

// Lists the documented operations as [{method: "GET", path: "/healthz"}].
export function documentedOperations(doc) {
  const ops = [];
  for (const [template, rawItem] of Object.entries(doc.paths ?? {})) {
    const { node: item } = resolveLocal(doc, rawItem, `/paths/${escapePointer(template)}`);
    for (const m of METHODS) if (item && item[m]) ops.push({ method: m.toUpperCase(), path: template });
  }
  return ops;
}

// Validates exchanges ({method, path, status, content_type, body, where?})
// against the parsed OpenAPI document `doc`. Returns
//   {passed, failures: [{method, path, status, message}], exercised, uncovered}
// where passed counts exchanges without fault, failures has one entry per
// failed exchange, and uncovered lists documented operations ({method, path})
// that no exchange reached. Pure: reads no files, prints nothing.
export function validateExchanges(doc, exchanges) {
  const ajv = newAjv(doc);
  const validators = new Map();
  const exercised = new Set();
  const failures = [];
  let passed = 0;

  const validatorFor = (pointer) => {
    let v = validators.get(pointer);
    if (!v) {
      // Tokens are percent-encoded: a URI fragment may not hold spaces etc.
      const fragment = pointer.split('/').map((t) => encodeURIComponent(t)).join('/');
      v = ajv.compile({ $ref: `${DOC_ID}#${fragment}` });
      validators.set(pointer, v);
    }
    return v;
  };

  for (const ex of exchanges) {
    const message = checkOne(doc, ex, validatorFor, exercised);
    if (message === null) {
      passed++;
    } else {
      const e = ex && typeof ex === 'object' ? ex : {};
      failures.push({
        method: e.webhook !== undefined ? 'WEBHOOK' : typeof e.method === 'string' ? e.method : '?',
        path: e.webhook !== undefined ? String(e.webhook) : typeof e.path === 'string' ? e.path : '?',
        status: e.status ?? '?',
        message: e.where ? `${message} (${e.where})` : message,
      });
    }
  }

  const uncovered = documentedOperations(doc).filter((op) => !exercised.has(`${op.method} ${op.path}`));
  return { passed, failures, exercised: [...exercised], uncovered };
}

// Returns null when the exchange conforms, else one message.
function checkOne(doc, ex, validatorFor, exercised) {
  if (ex === null || typeof ex !== 'object' || Array.isArray(ex)) return 'record is not a JSON object';
  if (ex.invalid) return ex.invalid;
  if (ex.webhook !== undefined) return checkDelivery(doc, ex, validatorFor);
  const { method, path, status } = ex;
  if (typeof method !== 'string' || method === '') return 'record has no "method" string';
  if (typeof path !== 'string' || !path.startsWith('/')) return 'record has no "path" string starting with "/"';
  if (!Number.isInteger(status) || status < 100 || status > 599) return 'record has no integer "status" in 100..599';
  if (ex.content_type != null && typeof ex.content_type !== 'string') return 'record "content_type" is not a string';
  if (ex.body != null && typeof ex.body !== 'string') return 'record "body" is not a string';

  const bare = path.replace(/[?#].*$/s, '');
  const template = matchPath(doc, bare);
  if (template === null) return `undocumented route ${bare}`;

  let pointer = `/paths/${escapePointer(template)}`;
  const item = resolveLocal(doc, doc.paths[template], pointer);
  pointer = item.pointer;
  const m = method.toLowerCase();
  if (!METHODS.includes(m) || !item.node || !item.node[m]) {
    const allowed = METHODS.filter((x) => item.node && item.node[x]).map((x) => x.toUpperCase());
    return `undocumented operation ${method.toUpperCase()} ${template} (documented: ${allowed.join(', ') || 'none'})`;
  }
  exercised.add(`${m.toUpperCase()} ${template}`);
  const op = item.node[m];
  pointer += `/${m}`;

  const responses = op.responses ?? {};
  const key = findResponse(responses, status);
  if (key === null) {
    return `undocumented status ${status} for ${m.toUpperCase()} ${template} (documented: ${Object.keys(responses).join(', ') || 'none'})`;
  }
  const resp = resolveLocal(doc, responses[key], `${pointer}/responses/${escapePointer(key)}`);
  const content = resp.node?.content ?? {};
  const body = ex.body ?? '';
  const contentType = ex.content_type ?? '';

  if (body === '' && (status === 204 || status === 304)) return null;
  if (Object.keys(content).length === 0) {
    if (body === '') return null;
    return `response ${key} declares no content but the body has ${body.length} bytes`;
  }

  const mediaType = mediaTypeOf(contentType);
  if (mediaType === '') return `no Content-Type, but response ${key} declares ${Object.keys(content).join(', ')}`;
  const mkey = findMediaType(content, mediaType);
  if (mkey === null) {
    return `undocumented content type ${mediaType} for response ${key} (documented: ${Object.keys(content).join(', ')})`;
  }
  if (!isJsonMediaType(mediaType)) return null;

  let value;
  try {
    value = JSON.parse(body);
  } catch (err) {
    return `body is not valid JSON (${mediaType}): ${err.message}`;
  }
  const media = content[mkey];
  if (!media || media.schema === undefined) return null;
  const validate = validatorFor(`${resp.pointer}/content/${escapePointer(mkey)}/schema`);
  if (validate(value)) return null;
  return `schema: ${describeAjvErrors(validate.errors)}`;
}

// A delivered webhook body, recorded as {"webhook": TYPE, "content_type",
// "body"}: validated against the requestBody of webhooks[TYPE].post.
function checkDelivery(doc, ex, validatorFor) {
  if (typeof ex.webhook !== 'string' || ex.webhook === '') return 'webhook record has no "webhook" type string';
  const item = doc.webhooks?.[ex.webhook];
  if (!item?.post) return `undocumented webhook ${ex.webhook}`;
  const content = item.post.requestBody?.content ?? {};
  const mediaType = mediaTypeOf(ex.content_type ?? '');
  const mkey = findMediaType(content, mediaType);
  if (mkey === null) return `undocumented content type ${mediaType} for webhook ${ex.webhook}`;
  let value;
  try {
    value = JSON.parse(ex.body ?? '');
  } catch (err) {
    return `webhook body is not valid JSON: ${err.message}`;
  }
  if (value?.type !== ex.webhook) return `webhook body has type ${value?.type}, recorded as ${ex.webhook}`;
  const validate = validatorFor(`/webhooks/${escapePointer(ex.webhook)}/post/requestBody/content/${escapePointer(mkey)}/schema`);
  if (validate(value)) return null;
  return `schema: ${describeAjvErrors(validate.errors)}`;
}

// -------------------------------------------------------------- file input

export function loadDocument(file) {
  return YAML.parse(readFileSync(file, 'utf8'), { maxAliasCount: -1 });
}

// Reads JSON Lines; blank lines are skipped, a bad line becomes an exchange
// carrying `invalid` so it is reported as a failure rather than lost.
export function readRecords(file) {
  const out = [];
  const lines = readFileSync(file, 'utf8').split('\n');
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `${file}:${i + 1}`;
    try {
      const ex = JSON.parse(line);
      if (ex !== null && typeof ex === 'object' && !Array.isArray(ex)) out.push({ ...ex, where });
      else out.push({ invalid: 'record is not a JSON object', where });
    } catch (err) {
      out.push({ invalid: `record is not valid JSON: ${err.message}`, where });
    }
  });
  return out;
}

// ------------------------------------------------------------------- main

function main(argv) {
  const requireAll = argv.includes('--require-all');
  const unknown = argv.filter((a) => a.startsWith('--') && a !== '--require-all');
  const args = argv.filter((a) => !a.startsWith('--'));
  if (unknown.length > 0 || args.length < 2) {
    process.stderr.write('usage: node validate.mjs [--require-all] OPENAPI_PATH RECORD_FILE...\n');
    return 2;
  }
  const [docPath, ...recordFiles] = args;

  let doc;
  const exchanges = [];
  try {
    doc = loadDocument(docPath);
    if (!doc || typeof doc !== 'object' || typeof doc.paths !== 'object') throw new Error('no "paths" object');
  } catch (err) {
    process.stderr.write(`${docPath}: cannot load OpenAPI document: ${err.message}\n`);
    return 2;
  }
  for (const file of recordFiles) {
    try {
      exchanges.push(...readRecords(file));
    } catch (err) {
      process.stderr.write(`${file}: cannot read records: ${err.message}\n`);
      return 2;
    }
  }

  const result = validateExchanges(doc, exchanges);
  for (const f of result.failures) {
    const method = typeof f.method === 'string' ? f.method.toUpperCase() : f.method;
    process.stdout.write(`${method} ${f.path} ${f.status}: ${f.message}\n`);
  }
  let failed = result.failures.length > 0;
  if (exchanges.length === 0) {
    process.stdout.write(`no exchanges recorded in ${recordFiles.join(', ')}: an empty recording proves nothing\n`);
    failed = true;
  }
  if (requireAll && result.uncovered.length > 0) {
    for (const op of result.uncovered) process.stdout.write(`${op.method} ${op.path}: not exercised by any exchange\n`);
    process.stdout.write(`${result.uncovered.length} documented operation(s) not exercised\n`);
    failed = true;
  }
  process.stdout.write(`${result.passed} passed, ${result.failures.length} failed\n`);
  return failed ? 1 : 0;
}

const invokedDirectly = (() => {
  try {
    return process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
  } catch {
    return false;
  }
})();

if (invokedDirectly) process.exitCode = main(process.argv.slice(2));
