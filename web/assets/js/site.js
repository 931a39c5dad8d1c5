// The town (tenant) this host name belongs to, read from /assets/site.json (docs/protocol.md,
// spec: {"tenant", "name", "logo_url", "imprint_url", "privacy_url", "language", "welcome", ...}):
// its name in the header and the page title, its logo in place of plenum's mark, its default
// language, and the imprint and privacy links (a link stays hidden while its URL is empty).
// The colours come from /assets/css/brand.css, which the pages link; nothing to do here.
// site.json never blocks a page: after SITE_WAIT_MS without an answer, or when it fails, the page
// goes on with plenum's own brand.

export const DEFAULT_NAME = 'plenum';
const SITE_WAIT_MS = 3000;
const LOGO_WAIT_MS = 3000;
const NAME_MAX = 64;
const WELCOME_MAX = 500;
const LANGS = ['de', 'en'];

let cached = null;

const text = (v, max) => (typeof v === 'string' ? v.trim().slice(0, max) : '');

/** The fields the page uses, checked; anything missing or odd is plenum's default. */
export function siteFrom(raw) {
  const o = raw && typeof raw === 'object' ? raw : {};
  return {
    tenant: text(o.tenant, 32),
    name: text(o.name, NAME_MAX) || DEFAULT_NAME,
    logoUrl: sameOriginPath(o.logo_url),
    imprintUrl: safeUrl(o.imprint_url),
    privacyUrl: safeUrl(o.privacy_url),
    language: LANGS.includes(o.language) ? o.language : '',
    welcome: text(o.welcome, WELCOME_MAX),
    openRooms: o.open_rooms === 'token' ? 'token' : 'anyone',
    // who may frame the meeting (the server's frame-ancestors says the same): exact origins only
    embedOrigins: Array.isArray(o.embed_origins)
      ? o.embed_origins.filter((x) => typeof x === 'string' && /^https?:\/\/[^/?#]+$/.test(x)).slice(0, 8) : [],
  };
}

/** The site as siteFrom returns it; fetched once per page (started by the first call). */
export function siteInfo() {
  if (!cached) {
    // relative to this module: under /assets/v/<version>/ when the page is (the version covers site.json)
    const fetched = fetch(new URL('../site.json', import.meta.url))
      .then((r) => (r.ok ? r.json() : {}))
      .catch(() => ({}));
    const late = new Promise((res) => setTimeout(() => res({}), SITE_WAIT_MS));
    cached = Promise.race([fetched, late]).then(siteFrom);
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

/** The logo comes from this host only (the server serves it as /assets/brand/logo). */
function sameOriginPath(u) {
  if (typeof u !== 'string' || !u) return '';
  try {
    const url = new URL(u, location.origin);
    return url.origin === location.origin ? url.href : '';
  } catch {
    return '';
  }
}

/** Sets href on every [data-site-link="imprint"|"privacy"] below root and hides empty ones. */
export async function applySiteLinks(root = document) {
  const info = await siteInfo();
  const urls = { imprint: info.imprintUrl, privacy: info.privacyUrl };
  for (const a of root.querySelectorAll('[data-site-link]')) {
    const url = urls[a.dataset.siteLink];
    a.hidden = !url;
    if (url) a.href = url;
  }
  for (const box of root.querySelectorAll('[data-site-links]')) {
    box.hidden = !urls.imprint && !urls.privacy;
  }
}

/** Loads the logo; resolves with the <img> once it can be shown, or null (none, broken, too slow). */
function loadLogo(site) {
  if (!site.logoUrl) return Promise.resolve(null);
  const img = new Image();
  img.className = 'brand__logo';
  img.alt = site.name;
  img.decoding = 'async';
  img.src = site.logoUrl;
  const late = new Promise((res) => setTimeout(() => res(null), LOGO_WAIT_MS));
  return Promise.race([img.decode().then(() => img, () => null), late]);
}

/**
 * The header's brand ([data-slot="logo"] with .brand__mark and .brand__name): the town's name,
 * and its logo in place of plenum's mark (alt: the name; the name next to it is then hidden from
 * screen readers, so the link is read once). Marks <html data-site="ready">: until then the
 * stylesheet keeps the brand invisible (its place kept), so plenum's name does not flash first.
 */
export async function applyBrand(root = document) {
  const site = await siteInfo();
  const img = await loadLogo(site);
  for (const slot of root.querySelectorAll('[data-slot="logo"]')) {
    const name = slot.querySelector('.brand__name');
    if (name) name.textContent = site.name;
    if (img) {
      const mark = slot.querySelector('.brand__mark, .brand__logo');
      const mine = slot === root.querySelector('[data-slot="logo"]') ? img : img.cloneNode();
      if (mark) mark.replaceWith(mine); else slot.prepend(mine);
      if (name) name.setAttribute('aria-hidden', 'true');
    }
  }
  document.documentElement.dataset.site = 'ready';
  return site;
}

/** The landing page's lead text: the town's welcome when it has one (in the town's language). */
export function applyWelcome(el, site) {
  if (!el || !site.welcome) return;
  el.removeAttribute('data-i18n');   // a language switch keeps the town's own words
  el.textContent = site.welcome;
  if (site.language) el.lang = site.language;
}
