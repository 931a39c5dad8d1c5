// The landing page: type or generate a room name, then go to /<room>.

import { initI18n, t, bindLanguageSelect, onLanguageChange } from './i18n.js';
import { normalizeRoom, roomProblem, generateRoomName, roomTitle, roomLink } from './names.js';
import { applySiteLinks, applyBrand, applyWelcome, siteInfo } from './site.js';

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
  // The typed name travels in the link's fragment, which the browser never sends to the server.
  const room = normalizeRoom(input.value);
  location.assign(roomLink('', room, roomTitle(input.value, room)));
});

document.getElementById('main').hidden = false;
