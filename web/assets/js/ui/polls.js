// The polls panel: hosts (and everyone, when a host allows it) ask a question with 2 to 10
// answers, single or multiple choice, open or secret; everyone votes with radio buttons or
// checkboxes; results are text (answer, count, percentage) with a bar beside it. Whether a poll
// is secret is said on every poll and in the form. All text is set with textContent.

import { formatNumber } from '../i18n.js';
import { POLL_QUESTION_MAX, POLL_ANSWER_MAX, POLL_ANSWERS_MIN, POLL_ANSWERS_MAX, percent } from '../room/polls.js';

const $ = (id) => document.getElementById(id);
const encoder = new TextEncoder();
const bytes = (s) => encoder.encode(s).length;
const ERRORS = ['rate_limited', 'too_many_polls', 'already_voted', 'poll_closed', 'forbidden', 'not_found', 'bad_request', 'disconnected'];

function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

export class PollsPanel {
  /** polls: room/polls.js; announce(text): the polite live region; notify(text, action): a toast. */
  constructor({ t, polls, announce, notify, openPanel }) {
    this.t = t;
    this.polls = polls;
    this.announce = announce;
    this.notify = notify;
    this.openPanel = openPanel;
    this.list = $('polls-list');
    this.form = $('poll-form');
    this.answers = $('poll-answers');
    this.error = $('poll-form-error');
    this.selection = new Map();   // poll id -> Set of chosen indexes not yet sent
    this.last = { list: [], opts: { host: false, mayCreate: false, open: false } };
    this.bind();
    this.resetForm();
  }

  bind() {
    $('polls-new').onclick = () => this.toggleForm(this.form.hidden);
    $('poll-add-answer').onclick = () => {
      this.addAnswer('');
      this.answers.lastElementChild?.querySelector('input')?.focus();
    };
    $('poll-cancel').onclick = () => { this.toggleForm(false); $('polls-new').focus(); };
    this.form.onsubmit = (ev) => { ev.preventDefault(); this.submit(); };
    $('polls-anyone').onchange = (ev) => {
      this.polls.setOpen(ev.target.checked).catch((err) => {
        ev.target.checked = !ev.target.checked;
        this.notify(this.errorText(err));
      });
    };
  }

  errorText(err) {
    return this.t(`polls.error.${ERRORS.includes(err?.code) ? err.code : 'generic'}`);
  }

  toggleForm(open) {
    this.form.hidden = !open;
    $('polls-new').setAttribute('aria-expanded', String(open));
    if (open) $('poll-question').focus();
    else this.resetForm();
  }

  resetForm() {
    this.form.reset();
    this.answers.replaceChildren();
    for (let i = 0; i < POLL_ANSWERS_MIN; i++) this.addAnswer('');
    this.showError('');
  }

  addAnswer(value) {
    const n = this.answers.children.length;
    if (n >= POLL_ANSWERS_MAX) return;
    const li = el('li', 'poll-form__answer');
    const id = `poll-answer-${n + 1}`;
    const label = el('label', 'sr-only', this.t('polls.answer_n', { n: n + 1 }));
    label.htmlFor = id;
    const input = el('input', 'input input--small');
    input.id = id;
    input.type = 'text';
    input.maxLength = POLL_ANSWER_MAX;
    input.value = value;
    input.placeholder = this.t('polls.answer_n', { n: n + 1 });
    li.append(label, input);
    if (n >= POLL_ANSWERS_MIN) {
      const remove = el('button', 'icon-button poll-form__remove', '×');
      remove.type = 'button';
      remove.setAttribute('aria-label', this.t('polls.remove_answer', { n: n + 1 }));
      remove.onclick = () => {
        li.remove();
        this.renumber();
        this.answers.lastElementChild?.querySelector('input')?.focus();
      };
      li.append(remove);
    }
    this.answers.append(li);
    $('poll-add-answer').disabled = this.answers.children.length >= POLL_ANSWERS_MAX;
  }

  renumber() {
    [...this.answers.children].forEach((li, i) => {
      const text = this.t('polls.answer_n', { n: i + 1 });
      li.querySelector('label').textContent = text;
      li.querySelector('input').placeholder = text;
      li.querySelector('button')?.setAttribute('aria-label', this.t('polls.remove_answer', { n: i + 1 }));
    });
    $('poll-add-answer').disabled = this.answers.children.length >= POLL_ANSWERS_MAX;
  }

  showError(text) {
    this.error.textContent = text;
    this.error.hidden = !text;
  }

  async submit() {
    const t = this.t;
    const question = $('poll-question').value.replace(/\r\n?/g, '\n').trim();
    const answers = [...this.answers.querySelectorAll('input')].map((i) => i.value.trim()).filter(Boolean);
    if (!question) return this.showError(t('polls.error.no_question'));
    if (bytes(question) > POLL_QUESTION_MAX) return this.showError(t('polls.error.question_long', { max: formatNumber(POLL_QUESTION_MAX) }));
    if (answers.length < POLL_ANSWERS_MIN) return this.showError(t('polls.error.few_answers'));
    if (answers.some((a) => bytes(a) > POLL_ANSWER_MAX)) return this.showError(t('polls.error.answer_long', { max: formatNumber(POLL_ANSWER_MAX) }));
    const multiple = this.form.elements['poll-kind'].value === 'multiple';
    const secret = this.form.elements['poll-ballot'].value === 'secret';
    try {
      await this.polls.create({ question, answers, multiple, secret });
      this.toggleForm(false);
      $('polls-new').focus();
    } catch (err) {
      this.showError(this.errorText(err));
    }
  }

  /** The whole list (polls oldest first); opts: {host, mayCreate, open}. Focus and unsent choices survive. */
  render(list, opts) {
    this.last = { list, opts };
    $('polls-host').hidden = !opts.mayCreate;
    $('polls-anyone-row').hidden = !opts.host;
    $('polls-anyone').checked = opts.open;
    if (!opts.mayCreate && !this.form.hidden) this.toggleForm(false);
    $('polls-empty').hidden = list.length > 0;
    const focused = document.activeElement?.closest?.('[data-focus]')?.dataset.focus;
    const items = [...list].reverse().map((p) => this.item(p, opts.host));   // newest first
    this.list.replaceChildren(...items);
    if (focused) this.list.querySelector(`[data-focus="${CSS.escape(focused)}"]`)?.focus();
  }

  relabel() {
    this.renumber();
    this.render(this.last.list, this.last.opts);
  }

  item(p, host) {
    const t = this.t;
    const li = el('li', 'poll');
    const article = el('article', 'poll__card');
    article.setAttribute('aria-labelledby', `poll-q-${p.id}`);
    const q = el('h3', 'poll__question', p.question);
    q.id = `poll-q-${p.id}`;
    const meta = el('p', 'poll__meta');
    const tags = [
      t(p.running ? 'polls.running' : 'polls.closed'),
      t(p.multiple ? 'polls.kind_multiple' : 'polls.kind_single'),
      t('polls.voters', { count: p.voters, n: formatNumber(p.voters) }),
    ];
    if (p.by) tags.push(t('polls.asked_by', { name: p.by }));
    meta.textContent = tags.join(' · ');
    const ballot = el('p', `poll__ballot ${p.secret ? 'poll__ballot--secret' : ''}`,
      t(p.secret ? 'polls.secret_note' : 'polls.open_note'));
    article.append(q, ballot, meta);
    if (p.running && !p.voted) article.append(this.voteForm(p));
    else if (p.voted) article.append(el('p', 'poll__yours', this.yours(p)));
    if (p.tallies) article.append(this.results(p, host));
    if (host) article.append(...this.hostParts(p));
    li.append(article);
    return li;
  }

  yours(p) {
    const t = this.t;
    if (p.secret || !p.mine.length) return t('polls.you_voted_secret');
    return t('polls.you_voted', { answers: p.mine.map((i) => p.answers[i]).join(', ') });
  }

  voteForm(p) {
    const t = this.t;
    const form = el('form', 'poll__vote');
    form.noValidate = true;
    const fs = el('fieldset', 'poll__choices');
    const legend = el('legend', 'sr-only', p.question);
    fs.append(legend);
    const chosen = this.selection.get(p.id) || new Set();
    p.answers.forEach((a, i) => {
      const label = el('label', 'poll__choice');
      const input = el('input');
      input.type = p.multiple ? 'checkbox' : 'radio';
      input.name = `poll-${p.id}`;
      input.value = String(i);
      input.checked = chosen.has(i);
      input.dataset.focus = `${p.id}:${i}`;
      input.onchange = () => {
        const now = new Set([...form.querySelectorAll('input:checked')].map((x) => Number(x.value)));
        this.selection.set(p.id, now);
        button.disabled = now.size === 0;
      };
      label.append(input, el('span', '', a));
      fs.append(label);
    });
    const hint = el('p', 'poll__hint', t(p.multiple ? 'polls.hint_multiple' : 'polls.hint_single'));
    const error = el('p', 'field__error', '');
    error.setAttribute('role', 'alert');
    error.hidden = true;
    const button = el('button', 'button button--primary button--small', t('polls.vote'));
    button.type = 'submit';
    button.disabled = chosen.size === 0;
    button.dataset.focus = `${p.id}:vote`;
    form.append(fs, hint, button, error);
    form.onsubmit = async (ev) => {
      ev.preventDefault();
      const choices = [...(this.selection.get(p.id) || [])].sort((a, b) => a - b);
      if (!choices.length) return;
      button.disabled = true;
      try {
        await this.polls.vote(p.id, choices);
        this.selection.delete(p.id);
        this.announce(t('polls.announce_voted'));
      } catch (err) {
        button.disabled = false;
        error.textContent = this.errorText(err);
        error.hidden = false;
      }
    };
    return form;
  }

  /** Results as text first (answer, count, percentage); the bar repeats it for the eye. */
  results(p, host) {
    const t = this.t;
    const box = el('div', 'poll__results');
    const title = el('h4', 'poll__results-title', t(p.shown ? 'polls.results' : 'polls.results_hosts_only'));
    const ul = el('ul', 'poll__bars');
    // Multiple choice: shares of the voters; single choice: of the votes (the same number).
    const total = p.multiple ? p.voters : p.tallies.reduce((s, n) => s + n, 0);
    p.answers.forEach((a, i) => {
      const n = p.tallies[i];
      const pct = percent(n, total);
      const row = el('li', 'poll__bar-row');
      const label = el('span', 'poll__bar-label', a);
      const value = el('span', 'poll__bar-value', t('polls.tally', { count: n, n: formatNumber(n), pct: formatNumber(pct) }));
      const bar = el('span', 'poll__bar');
      bar.setAttribute('aria-hidden', 'true');
      const fill = el('span', 'poll__bar-fill');
      fill.style.width = `${pct}%`;
      bar.append(fill);
      row.append(label, value, bar);
      ul.append(row);
    });
    box.append(title, ul);
    if (host && p.votes && p.votes.length) {
      const details = el('details', 'poll__who');
      details.append(el('summary', '', t('polls.who_voted')));
      const list = el('ul', 'poll__who-list');
      for (const v of p.votes) list.append(el('li', '', `${v.name}: ${v.choices.map((i) => p.answers[i]).join(', ')}`));
      details.append(list);
      box.append(details);
    }
    return box;
  }

  hostParts(p) {
    const t = this.t;
    const row = el('div', 'button-row button-row--small poll__actions');
    const act = (key, fn, focus) => {
      const b = el('button', 'button button--secondary button--small', t(key));
      b.type = 'button';
      b.dataset.focus = `${p.id}:${focus}`;
      b.onclick = () => fn(p.id).catch((err) => this.notify(this.errorText(err)));
      row.append(b);
    };
    if (!p.shown) act('polls.show_results', (id) => this.polls.show(id), 'show');
    if (p.running) act('polls.close', (id) => this.polls.close(id), 'close');
    return row.children.length ? [row] : [];
  }

  announceNew(p) {
    const t = this.t;
    const text = t(p.secret ? 'polls.announce_new_secret' : 'polls.announce_new', { name: p.by, question: p.question.slice(0, 200) });
    this.notify(text, { label: t('polls.open_panel'), run: () => this.openPanel() });
  }

  announceClosed(p) {
    this.announce(this.t('polls.announce_closed', { question: p.question.slice(0, 200) }));
  }

  announceShown(p) {
    this.announce(this.t('polls.announce_shown', { question: p.question.slice(0, 200) }));
  }
}
