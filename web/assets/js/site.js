// The operator's imprint and privacy links, read from /assets/site.json
// ({"imprint_url": "...", "privacy_url": "..."}); a link stays hidden while its URL is empty.

let cached = null;

export function siteInfo() {
  if (!cached) {
    // relative to this module: under /assets/v/<version>/ when the page is (the version covers site.json)
    cached = fetch(new URL('../site.json', import.meta.url))
      .then((r) => (r.ok ? r.json() : {}))
      .catch(() => ({}));
  }
  return cached;
}

function safeUrl(u) {
  if (typeof u !== 'string' || !u) return '';
  try {
    const url = new URL(u, location.origin);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : '';
  } catch {
    return '';
  }
}

/** Sets href on every [data-site-link="imprint"|"privacy"] below root and hides empty ones. */
export async function applySiteLinks(root = document) {
  const info = await siteInfo();
  const urls = { imprint: safeUrl(info.imprint_url), privacy: safeUrl(info.privacy_url) };
  for (const a of root.querySelectorAll('[data-site-link]')) {
    const url = urls[a.dataset.siteLink];
    a.hidden = !url;
    if (url) a.href = url;
  }
  for (const box of root.querySelectorAll('[data-site-links]')) {
    box.hidden = !urls.imprint && !urls.privacy;
  }
}
