// The landing page: type or generate a room name, then go to /<room>.

import { initI18n, t, bindLanguageSelect, onLanguageChange } from './i18n.js';
import { normalizeRoom, roomProblem, generateRoomName } from './names.js';
import { applySiteLinks } from './site.js';

await initI18n();
document.title = t('landing.page_title');
for (const s of document.querySelectorAll('[data-lang-select]')) bindLanguageSelect(s);
applySiteLinks();

const form = document.getElementById('room-form');
const input = document.getElementById('room-input');
const error = document.getElementById('room-error');
document.getElementById('room-prefix').textContent = `${location.host}/`;

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
  if (!error.hidden) showError(roomProblem(normalizeRoom(input.value)));
});

input.addEventListener('input', () => {
  // Only correct once the user has been told something is wrong; no nagging while typing.
  if (!error.hidden) showError(input.value ? roomProblem(normalizeRoom(input.value)) : null);
});

document.getElementById('generate').addEventListener('click', () => {
  input.value = generateRoomName();
  showError(null);
  input.focus();
});

form.addEventListener('submit', (ev) => {
  ev.preventDefault();
  const room = normalizeRoom(input.value);
  const problem = roomProblem(room);
  if (problem) {
    showError(problem);
    input.focus();
    return;
  }
  location.assign(`/${encodeURIComponent(room)}`);
});

document.getElementById('main').hidden = false;
