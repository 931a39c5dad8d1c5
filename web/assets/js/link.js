// What a meeting link may carry (/<room>?name=…&lang=…&simulcast=0) and nothing more: the query is
// read once and removed from the address bar, so no link can join, publish or leave a password.
// No DOM: takes the location and history objects, so it runs in node's tests too.

/**
 * Reads the link's query and replaces the address with the canonical room path and no query.
 * Returns {name, simulcast, ignored} where name prefills the pre-join field (never joins by
 * itself), simulcast is false only for ?simulcast=0, and ignored lists parameters that no link
 * may use (join, password): they are dropped, never acted on.
 */
export function takeLinkParams(room, loc = globalThis.location, hist = globalThis.history) {
  const params = new URLSearchParams(loc?.search || '');
  const out = {
    name: (params.get('name') || '').trim().slice(0, 200),
    simulcast: params.get('simulcast') !== '0',
    ignored: ['join', 'password'].filter((k) => params.has(k)),
  };
  const path = `/${room}`;
  if (hist && loc && (loc.search || loc.pathname !== path)) {
    // The password (if a link carried one) leaves the address bar and this history entry now.
    hist.replaceState(null, '', path + (loc.hash || ''));
  }
  return out;
}

// A host (or guest) token in an invitation link: /<room>?jwt=… or /<room>#jwt=… (a town's portal
// signs it; the server checks it). It leaves the address bar before anything else happens on the
// page and lives in memory only: never stored, never logged, sent once more only in `join`.

const TOKEN_MAX = 8192;

/**
 * Reads ?jwt= (or #jwt= in the fragment) and removes it from the address bar at once, keeping
 * every other parameter of the query and the fragment (those are read later: takeLinkParams,
 * the language, the room's #t= title). Returns the token, or '' when the link carries none.
 */
export function takeToken(loc = globalThis.location, hist = globalThis.history) {
  const query = new URLSearchParams(loc?.search || '');
  const frag = new URLSearchParams(String(loc?.hash || '').replace(/^#/, ''));
  const inQuery = query.has('jwt');
  const inFrag = frag.has('jwt');
  if (!inQuery && !inFrag) return '';
  const token = (query.get('jwt') || frag.get('jwt') || '').trim();
  query.delete('jwt');
  frag.delete('jwt');
  const search = query.toString();
  const hash = inFrag ? frag.toString() : String(loc.hash || '').replace(/^#/, '');
  if (hist) hist.replaceState(hist.state ?? null, '', `${loc.pathname}${search ? `?${search}` : ''}${hash ? `#${hash}` : ''}`);
  return token.length <= TOKEN_MAX ? token : token.slice(0, TOKEN_MAX);
}

/**
 * The claims of a token as the link brings them, unverified (the server verifies): for the
 * pre-join name field and to know when it runs out. {} when it cannot be read.
 */
export function tokenClaims(token) {
  const part = typeof token === 'string' ? token.split('.')[1] : '';
  if (!part) return {};
  try {
    const b64 = part.replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4)), (c) => c.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder().decode(bytes));
    return claims && typeof claims === 'object' && !Array.isArray(claims) ? claims : {};
  } catch {
    return {};
  }
}
