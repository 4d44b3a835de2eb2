// The OpenAPI document and the server's route table agree: every route the
// shop binary serves is documented with the same method and access level,
// and the document names no route the binary lacks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const bin = process.env.MERCATO_BIN;
const doc = JSON.parse(readFileSync(new URL('../../docs/openapi.json', import.meta.url)));
// Paths answered from embedded files, not from the route table.
const STATIC = new Set(['/api/openapi.json', '/api/docs', '/admin/']);

function routes() {
  return execFileSync(bin, ['routes'], { encoding: 'utf8' })
    .trim().split('\n').map((l) => {
      const [method, path, access] = l.split(' ');
      return { method, path, access };
    });
}

test('the document is OpenAPI 3.1 with an info block', () => {
  assert.match(doc.openapi, /^3\.1\./);
  assert.ok(doc.info.title && doc.info.version);
});

test('every route of the binary is documented with its method and access', () => {
  const rs = routes();
  assert.ok(rs.length >= 13, `expected the core routes, got ${rs.length}`);
  for (const r of rs) {
    const item = doc.paths[r.path];
    assert.ok(item, `${r.path} is missing from docs/openapi.json`);
    const op = item[r.method.toLowerCase()];
    assert.ok(op, `${r.method} ${r.path} is missing from docs/openapi.json`);
    assert.equal(op['x-mercato-access'], r.access,
      `${r.method} ${r.path}: documented access differs from the route table`);
    assert.ok(op.operationId, `${r.method} ${r.path} has no operationId`);
    if (r.access !== 'public') {
      const codes = Object.keys(op.responses);
      assert.ok(codes.includes('401'), `${r.method} ${r.path} documents no 401`);
    }
  }
});

test('the document names no route the binary lacks', () => {
  const have = new Set(routes().map((r) => `${r.method} ${r.path}`));
  for (const [path, item] of Object.entries(doc.paths)) {
    if (STATIC.has(path)) continue;
    for (const m of ['get', 'post', 'put', 'patch', 'delete']) {
      if (item[m]) assert.ok(have.has(`${m.toUpperCase()} ${path}`),
        `docs/openapi.json lists ${m.toUpperCase()} ${path}, the binary does not serve it`);
    }
  }
});

test('every $ref in the document resolves', () => {
  const walk = (node, at) => {
    if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${at}/${i}`));
    if (node && typeof node === 'object') {
      if (typeof node.$ref === 'string') {
        assert.match(node.$ref, /^#\//, `${at}: only local refs`);
        let cur = doc;
        for (const part of node.$ref.slice(2).split('/')) {
          cur = cur?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
        }
        assert.ok(cur !== undefined, `${at}: ${node.$ref} does not resolve`);
      }
      for (const [k, v] of Object.entries(node)) walk(v, `${at}/${k}`);
    }
  };
  walk(doc, '#');
});
