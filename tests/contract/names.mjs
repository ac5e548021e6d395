// Walks every schema of openapi.yaml and checks that each record carrying a
// person's id also carries that person's name: for a property naming a user
// (or machine client) by id, a sibling property with the person object
// (`PersonRef`, or an array of them) must exist and, in answers, be required.
//
//   node names.mjs OPENAPI_PATH
//
// The id properties are recognised by name, so a new one cannot slip by:
// `*_by` (created_by, completed_by, ...), `user_id`, `*_user_id`,
// `*_user_ids`, `signer_id`, `actor_id`, `member_ids`, `signatory_id`. The
// person property is the id's name with `_user` added to `*_by`, `_id`
// dropped from `*_id`, and `_ids` made plural (`to_user_ids` -> `to_users`,
// `member_ids` -> `members`). Only schemas the API answers with are checked
// (those reachable from a response); request bodies send ids, not names. A Berita
// Acara party's `signatory_id` is named by the `name` beside it (the names
// are part of the content both parties sign, so they are frozen there). Exit status 0
// when every record passes, 1 with one line per missing name otherwise, 2
// when the file cannot be read.
import { readFileSync } from 'node:fs';
import YAML from 'yaml';

const ID = /(^|_)(by|user_id|user_ids|signer_id|actor_id|member_ids|signatory_id)$/;
const NOT_PEOPLE = new Set(['group_by']);

export function personKey(key) {
  if (key.endsWith('_by')) return `${key}_user`;
  if (key.endsWith('_ids')) return `${key.slice(0, -4)}s`;
  return key.slice(0, -3);
}

function isPersonSchema(doc, s) {
  const ref = (x) => x && x.$ref && x.$ref.replace('#/components/schemas/', '');
  if (!s) return false;
  if (['PersonRef', 'NullablePersonRef'].includes(ref(s))) return true;
  if (s.type === 'array') return isPersonSchema(doc, s.items);
  return false;
}

// Returns the problems of one schema node (recursively), as strings.
export function check(doc, name, node, path = name, problems = [], checked = { n: 0 }) {
  if (!node || typeof node !== 'object') return problems;
  const props = node.properties || {};
  for (const [key, sub] of Object.entries(props)) {
    if (ID.test(key) && !NOT_PEOPLE.has(key)) {
      checked.n++;
      const want = personKey(key);
      // a Berita Acara's party names its signatory in the frozen, signed content
      if (key === 'signatory_id' && props.name) continue;
      if (!props[want]) problems.push(`${path}.${key}: no ${want} beside it`);
      else if (!isPersonSchema(doc, props[want])) problems.push(`${path}.${want}: not a PersonRef`);
      else if (!node.oneOf && (node.required || []).includes(key) && !(node.required || []).includes(want))
        problems.push(`${path}.${want}: not required although ${key} is`);
    }
    check(doc, name, sub, `${path}.${key}`, problems, checked);
  }
  for (const k of ['oneOf', 'anyOf', 'allOf']) (node[k] || []).forEach((s, i) => check(doc, name, s, `${path}/${k}${i}`, problems, checked));
  if (node.items) check(doc, name, node.items, `${path}[]`, problems, checked);
  return problems;
}

// The names of the schemas reachable from any response (following $refs).
export function answered(doc) {
  const seen = new Set();
  const visit = (node) => {
    if (!node || typeof node !== 'object') return;
    if (typeof node.$ref === 'string') {
      const m = node.$ref.match(/^#\/components\/(schemas|responses)\/(.+)$/);
      if (m && m[1] === 'schemas' && !seen.has(m[2])) {
        seen.add(m[2]);
        visit(doc.components.schemas[m[2]]);
      } else if (m && m[1] === 'responses') visit(doc.components.responses[m[2]]);
      return;
    }
    for (const v of Object.values(node)) visit(v);
  };
  for (const item of Object.values(doc.paths))
    for (const op of Object.values(item)) if (op && op.responses) visit(op.responses);
  return [...seen].sort();
}

function main() {
  let doc;
  try {
    doc = YAML.parse(readFileSync(process.argv[2], 'utf8'));
  } catch (e) {
    console.error(`names: ${e.message}`);
    process.exit(2);
  }
  const problems = [];
  const checked = { n: 0 };
  for (const name of answered(doc)) check(doc, name, doc.components.schemas[name], name, problems, checked);
  for (const p of problems) console.log(p);
  console.log(`${checked.n} person ids checked, ${problems.length} without a name`);
  // the walk must have found the records it is about
  if (checked.n < 10) {
    console.log('names: fewer than 10 person ids found; the walk is broken');
    process.exit(1);
  }
  process.exit(problems.length ? 1 : 0);
}

main();
