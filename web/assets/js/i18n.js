// Strings from the locale files (assets/i18n/<lang>.json): language choice (remembered), lookup
// with {placeholders} and plural forms, filling elements marked with data-i18n* attributes, and
// locale-aware time and number formatting. Adding a language: a new <lang>.json and one entry in
// LANGUAGES (its own name for the switch).

export const LANGUAGES = { de: 'Deutsch', en: 'English' };
const SUPPORTED = Object.keys(LANGUAGES);
const FALLBACK = 'en';
const LANG_KEY = 'plenum.lang';

let strings = {};
let lang = FALLBACK;
let shared = {};   // placeholders every string may use, e.g. {site}: the town's name (initI18n)
const listeners = new Set();

function storedLanguage() {
  try { return localStorage.getItem(LANG_KEY) || ''; } catch { return ''; }
}

/**
 * ?lang= (or #lang=, an embedding page's) first, then the user's earlier choice, then the site's
 * default (the town's `language`, when it sets one), then the browser's preference (German or English).
 */
export function chooseLanguage(siteDefault = '') {
  const forced = new URLSearchParams(location.search).get('lang') || new URLSearchParams(location.hash.slice(1)).get('lang');
  if (SUPPORTED.includes(forced)) return forced;
  const stored = storedLanguage();
  if (SUPPORTED.includes(stored)) return stored;
  if (SUPPORTED.includes(siteDefault)) return siteDefault;
  const prefs = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || ''];
  for (const tag of prefs) {
    const base = String(tag).toLowerCase().split('-')[0];
    if (SUPPORTED.includes(base)) return base;
  }
  return FALLBACK;
}

async function load(which) {
  try {
    // relative to this module, so that a versioned page (/assets/v/<version>/...) gets the same version
    const res = await fetch(new URL(`../i18n/${which}.json`, import.meta.url));
    return await res.json();
  } catch (err) {
    console.error('plenum: cannot load locale', which, err);
    return null;
  }
}

/** siteDefault: the town's default language ('' for none); vars: shared placeholders ({site}). */
export async function initI18n(siteDefault = '', vars = {}) {
  shared = { ...vars };
  lang = chooseLanguage(siteDefault);
  strings = (await load(lang)) || {};
  document.documentElement.lang = lang;
  applyI18n(document);
  return t;
}

/** Switches the language now (strings, lang attribute, marked elements) and remembers it. */
export async function setLanguage(next) {
  if (!SUPPORTED.includes(next) || next === lang) return;
  const loaded = await load(next);
  if (!loaded) return;
  strings = loaded;
  lang = next;
  try { localStorage.setItem(LANG_KEY, next); } catch { /* private mode */ }
  const url = new URL(location.href);
  if (url.searchParams.has('lang')) {
    url.searchParams.set('lang', next);
    history.replaceState(history.state, '', url);
  }
  document.documentElement.lang = lang;
  applyI18n(document);
  for (const fn of listeners) {
    try { fn(lang); } catch (err) { console.error('plenum: language listener failed', err); }
  }
}

/** Calls fn(lang) after every language switch; returns an unsubscribe function. */
export function onLanguageChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function language() {
  return lang;
}

/** t('key', {name: 'Alice'}); with a numeric `count`, t looks up key.one / key.other first. */
export function t(key, vars = {}) {
  let s;
  if (typeof vars.count === 'number') {
    const form = new Intl.PluralRules(lang).select(vars.count);
    s = strings[`${key}.${form}`] ?? strings[`${key}.other`];
  }
  s = s ?? strings[key];
  if (s === undefined) {
    console.warn('plenum: missing string', key);
    return key;
  }
  const all = { ...shared, ...vars };
  return s.replace(/\{(\w+)\}/g, (m, k) => {
    if (!(k in all)) return m;
    return typeof all[k] === 'number' ? formatNumber(all[k]) : String(all[k]);
  });
}

/** "14:05" / "2:05 PM" for a time in ms since the epoch, per the current language. */
export function formatTime(ms) {
  return new Intl.DateTimeFormat(lang, { hour: 'numeric', minute: '2-digit' }).format(new Date(ms));
}

export function formatNumber(n) {
  return new Intl.NumberFormat(lang).format(n);
}

/**
 * Fills text and attributes: data-i18n (text), data-i18n-aria-label, data-i18n-title,
 * data-i18n-placeholder, data-i18n-content (meta).
 */
export function applyI18n(root) {
  const attrs = [
    ['i18nAriaLabel', 'aria-label'],
    ['i18nTitle', 'title'],
    ['i18nPlaceholder', 'placeholder'],
    ['i18nContent', 'content'],
  ];
  for (const el of root.querySelectorAll('[data-i18n], [data-i18n-aria-label], [data-i18n-title], [data-i18n-placeholder], [data-i18n-content]')) {
    if (el.dataset.i18n) el.textContent = t(el.dataset.i18n);
    for (const [key, attr] of attrs) if (el.dataset[key]) el.setAttribute(attr, t(el.dataset[key]));
  }
}

/**
 * Fills a <select> with the supported languages (each in its own language, with lang set) and
 * switches on change.
 */
export function bindLanguageSelect(select) {
  select.replaceChildren();
  for (const [code, name] of Object.entries(LANGUAGES)) {
    const o = new Option(name, code, false, code === lang);
    o.lang = code;
    select.append(o);
  }
  select.addEventListener('change', () => setLanguage(select.value));
  onLanguageChange((l) => { select.value = l; });
}
