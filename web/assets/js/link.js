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
