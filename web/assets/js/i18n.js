// Strings from the locale files (assets/i18n/<lang>.json): language choice, lookup with
// {placeholders} and plural forms, and filling elements marked with data-i18n* attributes.

const SUPPORTED = ['de', 'en'];
const FALLBACK = 'en';

let strings = {};
let lang = FALLBACK;

/** German when the browser prefers German over English; ?lang=de|en overrides. */
export function chooseLanguage() {
  const forced = new URLSearchParams(location.search).get('lang');
  if (SUPPORTED.includes(forced)) return forced;
  const prefs = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || ''];
  for (const tag of prefs) {
    const base = String(tag).toLowerCase().split('-')[0];
    if (SUPPORTED.includes(base)) return base;
  }
  return FALLBACK;
}

export async function initI18n() {
  lang = chooseLanguage();
  try {
    const res = await fetch(`/assets/i18n/${lang}.json`, { cache: 'no-cache' });
    strings = await res.json();
  } catch (err) {
    console.error('plenum: cannot load locale', lang, err);
    strings = {};
  }
  document.documentElement.lang = lang;
  applyI18n(document);
  return t;
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
  return s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
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
