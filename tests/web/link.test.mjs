// Unit tests of web/assets/js/link.js: a link prefills the name and nothing else; join= and
// password= are dropped, and the query leaves the address bar (history.replaceState) at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { takeLinkParams } from '../../web/assets/js/link.js';

function fakePage(path, search, hash = '') {
  const calls = [];
  const loc = { pathname: path, search, hash };
  const hist = { replaceState: (state, title, url) => calls.push(url) };
  return { loc, hist, calls };
}

test('name and simulcast are read; join and password are ignored and the query is removed', () => {
  const { loc, hist, calls } = fakePage('/rathaus', '?join=1&name=%20Eve%20&password=geheim&lang=de');
  const got = takeLinkParams('rathaus', loc, hist);
  assert.deepEqual(got, { name: 'Eve', simulcast: true, ignored: ['join', 'password'] });
  assert.deepEqual(calls, ['/rathaus'], 'one replaceState to the bare room path');
  assert.ok(!('password' in got), 'the password is not handed on');
});

test('the canonical room path replaces a differently spelled one; a clean address is left alone', () => {
  const a = fakePage('/Gr%C3%BCne-Wiese', '', '#x');
  takeLinkParams('gruene-wiese', a.loc, a.hist);
  assert.deepEqual(a.calls, ['/gruene-wiese#x']);
  const b = fakePage('/gruene-wiese', '');
  assert.deepEqual(takeLinkParams('gruene-wiese', b.loc, b.hist), { name: '', simulcast: true, ignored: [] });
  assert.deepEqual(b.calls, []);
});

test('simulcast=0 picks one layer; an overlong name is cut', () => {
  const { loc, hist } = fakePage('/r', `?simulcast=0&name=${'x'.repeat(5000)}`);
  const got = takeLinkParams('r', loc, hist);
  assert.equal(got.simulcast, false);
  assert.equal(got.name.length, 200);
});
