// The landing page: type or generate a room name, then go to /<room> — end-to-end encrypted when
// ticked, with a generated (or typed) passphrase in the link's fragment.

import { initI18n, t, bindLanguageSelect, onLanguageChange } from './i18n.js';
import { normalizeRoom, roomProblem, generateRoomName, roomTitle, roomLink } from './names.js';
import { applySiteLinks, applyBrand, applyWelcome, siteInfo } from './site.js';
import { e2eeSupported, generatePassphrase, passphraseProblem } from './e2ee/key.js';

const site = await siteInfo();
await initI18n(site.language, { site: site.name });
document.title = t('landing.page_title');
for (const s of document.querySelectorAll('[data-lang-select]')) bindLanguageSelect(s);
applySiteLinks();
applyBrand();
applyWelcome(document.querySelector('.landing__lead'), site);

const form = document.getElementById('room-form');
const input = document.getElementById('room-input');
const error = document.getElementById('room-error');
document.getElementById('room-prefix').textContent = `${location.host}/`;

const address = document.getElementById('room-address');
const e2eeBox = document.getElementById('e2ee-check');
const e2eePass = document.getElementById('e2ee-pass-input');
const e2eeError = document.getElementById('e2ee-pass-error');
const e2eeRefused = document.getElementById('e2ee-unsupported');

/** The encryption part: the passphrase field when ticked (a fresh one offered), or why not here. */
function renderE2ee() {
  const on = e2eeBox.checked;
  document.getElementById('e2ee-pass-field').hidden = !on || !e2eeSupported();
  if (on && !e2eePass.value) e2eePass.value = generatePassphrase();
  e2eeRefused.hidden = !on || !!e2eeSupported();
  e2eeRefused.textContent = e2eeRefused.hidden ? '' : t('e2ee.unsupported');
}

/** The passphrase when ticked and usable, '' when not ticked, null after saying why not. */
function checkE2ee() {
  if (!e2eeBox.checked) return '';
  if (!e2eeSupported()) return null;
  const problem = passphraseProblem(e2eePass.value);
  e2eeError.hidden = !problem;
  e2eeError.textContent = problem ? t(`e2ee.passphrase_${problem}`) : '';
  if (problem) e2eePass.setAttribute('aria-invalid', 'true');
  else e2eePass.removeAttribute('aria-invalid');
  return problem ? null : e2eePass.value;
}
e2eeBox.addEventListener('change', renderE2ee);
e2eePass.addEventListener('input', () => { if (!e2eeError.hidden) checkE2ee(); });
document.getElementById('e2ee-new').addEventListener('click', () => {
  e2eePass.value = generatePassphrase();
  if (!e2eeError.hidden) checkE2ee();
  e2eePass.focus();
});

/** Why a typed name makes no address: 'empty' (nothing typed), 'no_letters' (only punctuation). */
function problemOf(value) {
  if (!value.trim()) return 'empty';
  return roomProblem(normalizeRoom(value)) ? 'no_letters' : null;
}

/** Shows the address a typed name becomes ("Elternabend Klasse 3b!" → …/elternabend-klasse-3b). */
function showAddress() {
  const room = normalizeRoom(input.value);
  address.hidden = !room || room === input.value.trim();
  address.textContent = room ? t('landing.address', { address: `${location.host}/${room}` }) : '';
}

function showError(problem) {
  if (!problem) {
    error.hidden = true;
    error.textContent = '';
    input.removeAttribute('aria-invalid');
    return;
  }
  error.textContent = t(`room_error.${problem}`);
  error.hidden = false;
  input.setAttribute('aria-invalid', 'true');
}

onLanguageChange(() => {
  document.title = t('landing.page_title');
  if (!error.hidden) showError(problemOf(input.value));
  showAddress();
  renderE2ee();
  if (!e2eeError.hidden) checkE2ee();
});

input.addEventListener('input', () => {
  // Only correct once the user has been told something is wrong; no nagging while typing.
  if (!error.hidden) showError(input.value ? problemOf(input.value) : null);
  showAddress();
});

document.getElementById('generate').addEventListener('click', () => {
  input.value = generateRoomName();
  showError(null);
  showAddress();
  input.focus();
});

form.addEventListener('submit', (ev) => {
  ev.preventDefault();
  const problem = problemOf(input.value);
  if (problem) {
    showError(problem);
    input.focus();
    return;
  }
  const pass = checkE2ee();
  if (pass === null) {
    (e2eeSupported() ? e2eePass : e2eeBox).focus();
    return;
  }
  // The typed name travels in the link's fragment, which the browser never sends to the server.
  const room = normalizeRoom(input.value);
  location.assign(roomLink('', room, roomTitle(input.value, room), pass || null));
});

document.getElementById('main').hidden = false;
