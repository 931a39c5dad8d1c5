// Unit tests of web/assets/js/link.js: a link prefills the name and nothing else; join= and
// password= are dropped, and the query leaves the address bar (history.replaceState) at once;
// an invitation token (?jwt= or #jwt=) leaves it before anything else, the rest staying.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { takeLinkParams, takeToken, tokenClaims } from '../../web/assets/js/link.js';

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

test('?jwt= is taken and removed; the other parameters and the fragment stay for later', () => {
  const { loc, hist, calls } = fakePage('/rat', '?name=Eve&jwt=aa.bb.cc&lang=de', '#t=Rat');
  assert.equal(takeToken(loc, hist), 'aa.bb.cc');
  assert.deepEqual(calls, ['/rat?name=Eve&lang=de#t=Rat']);
});

test('#jwt= in the fragment is taken too; a page without a token is left alone', () => {
  const a = fakePage('/rat', '?lang=en', '#jwt=aa.bb.cc&t=Rat');
  assert.equal(takeToken(a.loc, a.hist), 'aa.bb.cc');
  assert.deepEqual(a.calls, ['/rat?lang=en#t=Rat']);
  const b = fakePage('/rat', '', '#jwt=x.y.z');
  assert.equal(takeToken(b.loc, b.hist), 'x.y.z');
  assert.deepEqual(b.calls, ['/rat']);
  const c = fakePage('/rat', '?name=Eve', '#t=Rat');
  assert.equal(takeToken(c.loc, c.hist), '');
  assert.deepEqual(c.calls, []);
});

test('tokenClaims reads the payload unverified; anything else is {}', () => {
  const payload = Buffer.from(JSON.stringify({ name: 'Bürgermeisterin', exp: 123 })).toString('base64url');
  assert.deepEqual(tokenClaims(`e30.${payload}.sig`), { name: 'Bürgermeisterin', exp: 123 });
  for (const bad of ['', 'abc', 'a.!!!.c', `a.${Buffer.from('[1]').toString('base64url')}.c`, null]) {
    assert.deepEqual(tokenClaims(bad), {});
  }
});
