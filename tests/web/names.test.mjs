// names.js: typed room names become valid addresses (spaces and punctuation to hyphens, German
// umlauts transliterated, edges trimmed, at most 64 characters), and the human name a link may
// carry in its fragment is shown only for the room it belongs to.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeRoom, roomProblem, roomTitle, roomLink, titleFromHash } from '../../web/assets/js/names.js';

test('typed names become valid addresses', () => {
  const cases = [
    ['Elternabend Klasse 3b!', 'elternabend-klasse-3b'],
    ['Grüne Wiese', 'gruene-wiese'],
    ['Straße der Ökologie', 'strasse-der-oekologie'],
    ['  Café René ', 'cafe-rene'],
    ['--Sitzung: Haushalt 2027?--', 'sitzung-haushalt-2027'],
    ['a..b__c', 'a.b_c'],
    ['gruene-wiese-42', 'gruene-wiese-42'],
    ['v1.2_final', 'v1.2_final'],
  ];
  for (const [typed, want] of cases) {
    assert.equal(normalizeRoom(typed), want, typed);
    assert.equal(roomProblem(normalizeRoom(typed)), null, typed);
  }
  const long = normalizeRoom(`${'Gemeinderat '.repeat(8)}Sitzung`);
  assert.ok(long.length <= 64 && roomProblem(long) === null, long);
  assert.equal(normalizeRoom(`${'a'.repeat(63)}-b`), 'a'.repeat(63), 'no hyphen left at the cut');
  assert.equal(normalizeRoom('!!! ???'), '');
  assert.equal(roomProblem(normalizeRoom('!!! ???')), 'empty');
});

test('the human name: only for its own room, cleaned, carried in the fragment', () => {
  assert.equal(roomTitle('Elternabend Klasse 3b!', 'elternabend-klasse-3b'), 'Elternabend Klasse 3b!');
  assert.equal(roomTitle('Bürgeramt', 'elternabend-klasse-3b'), null, 'another room');
  assert.equal(roomTitle('gruene-wiese', 'gruene-wiese'), null, 'adds nothing');
  assert.equal(roomTitle('Grüne\u0007  Wiese', 'gruene-wiese'), 'Grüne Wiese');
  assert.equal(roomTitle(null, 'x'), null);
  const link = roomLink('https://meet.example', 'elternabend-klasse-3b', 'Elternabend Klasse 3b!');
  assert.equal(link, 'https://meet.example/elternabend-klasse-3b#t=Elternabend%20Klasse%203b!');
  assert.equal(titleFromHash(new URL(link).hash), 'Elternabend Klasse 3b!');
  assert.equal(roomLink('https://meet.example', 'a-b', null), 'https://meet.example/a-b');
  assert.equal(titleFromHash(''), null);
});
