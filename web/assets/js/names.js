// Room and display names: the protocol's rules (checked here so the user sees a clear message
// before joining), friendly normalisation of typed room names, and readable random room names.

const ROOM_RE = /^[a-z0-9]([a-z0-9._-]{0,62}[a-z0-9])?$/;
const MAX_NAME_BYTES = 64;

/**
 * Turns what a person types into a valid room address: lowercased, ä→ae ö→oe ü→ue ß→ss, other
 * accents dropped, every run of other characters (spaces, punctuation) one hyphen, no . - _ at
 * either end, at most 64 characters: "Elternabend Klasse 3b!" → "elternabend-klasse-3b".
 * Returns '' when nothing usable is left (roomProblem says 'empty').
 */
export function normalizeRoom(input) {
  let s = String(input)
    .trim()
    .toLowerCase()
    .replace(/ä/g, 'ae').replace(/ö/g, 'oe').replace(/ü/g, 'ue').replace(/ß/g, 'ss')
    .normalize('NFKD').replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/([._-])[._-]+/g, '$1');
  const trimEdges = (x) => x.replace(/^[._-]+/, '').replace(/[._-]+$/, '');
  s = trimEdges(s);
  if (s.length > 64) s = trimEdges(s.slice(0, 64));
  return s;
}

/**
 * The human name of a room as typed ("Elternabend Klasse 3b"), for showing only: control
 * characters removed, spaces collapsed, at most 80 characters. null when it does not belong to
 * the room address (so a link cannot put a misleading name on another room) or adds nothing.
 */
export function roomTitle(title, room) {
  const clean = String(title ?? '').replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 80);
  if (!clean || normalizeRoom(clean) !== room || clean === room) return null;
  return clean;
}

/** The meeting link: the address, and the human name in the fragment (#t=…), which browsers never send to the server. */
export function roomLink(origin, room, title = null, e2ee = null) {
  const base = `${origin}/${encodeURIComponent(room)}`;
  const parts = [];
  if (title) parts.push(`t=${encodeURIComponent(title)}`);
  if (e2ee) parts.push(`e2ee=${encodeURIComponent(e2ee)}`);   // an encrypted meeting's passphrase: fragment only
  return parts.length ? `${base}#${parts.join('&')}` : base;
}

/** The human name carried in a link's fragment (#t=…), or null. */
export function titleFromHash(hash) {
  try {
    return new URLSearchParams(String(hash || '').replace(/^#/, '')).get('t');
  } catch {
    return null;
  }
}

/** null when valid, otherwise the reason: 'empty' | 'too_long' | 'chars' | 'edge'. */
export function roomProblem(room) {
  if (!room) return 'empty';
  if (room.length > 64) return 'too_long';
  if (!/^[a-z0-9._-]+$/.test(room)) return 'chars';
  if (!ROOM_RE.test(room)) return 'edge';
  return null;
}

/** null when valid, otherwise 'empty' | 'too_long' | 'chars'. */
export function displayNameProblem(name) {
  if (!name) return 'empty';
  if (new TextEncoder().encode(name).length > MAX_NAME_BYTES) return 'too_long';
  if (/[\u0000-\u001f\u007f-\u009f]/.test(name)) return 'chars';
  return null;
}

const ADJECTIVES = [
  'gruene', 'blaue', 'stille', 'helle', 'weite', 'klare', 'warme', 'frohe', 'sonnige', 'ruhige',
  'alte', 'neue', 'kleine', 'grosse', 'bunte', 'goldene', 'sanfte', 'frische', 'lichte', 'hohe',
  'tiefe', 'runde', 'schoene', 'freie', 'gute', 'leise', 'rote', 'milde', 'breite', 'lange',
];
const NOUNS = [
  'wiese', 'linde', 'bruecke', 'quelle', 'eiche', 'aue', 'muehle', 'allee', 'bucht', 'heide',
  'buche', 'kastanie', 'insel', 'lichtung', 'weide', 'terrasse', 'laube', 'halle', 'stube', 'warte',
  'pforte', 'gasse', 'kapelle', 'scheune', 'koppel', 'anhoehe', 'rose', 'tulpe', 'lerche', 'amsel',
  'birke', 'ulme', 'esche', 'tanne', 'kiefer', 'welle', 'woge', 'sonne', 'wolke', 'eule',
];

function pick(list, r) {
  return list[r % list.length];
}

/** A readable name like "gruene-wiese-42": about a million choices, from crypto randomness. */
export function generateRoomName() {
  const r = new Uint32Array(3);
  crypto.getRandomValues(r);
  const number = 10 + (r[2] % 990);
  return `${pick(ADJECTIVES, r[0])}-${pick(NOUNS, r[1])}-${number}`;
}
