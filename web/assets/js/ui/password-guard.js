// The room's password guard as hosts see it (protocol event password_guard): wrong guesses so far,
// the current wait before the next try, and a reset (password_guard_reset). Shown in the room
// settings dialog; the first time guesses appear, a toast in the polite live region says so.

const $ = (id) => document.getElementById(id);

/** The sentence for a guard state {failures, delay_s}, or '' when nothing was guessed. */
export function guardText(t, g) {
  if (!g || (!g.failures && !g.delay_s)) return '';
  const tried = t('guard.failures', { count: g.failures });
  return g.delay_s ? `${tried} ${t('guard.delay', { count: g.delay_s })}` : tried;
}

export class PasswordGuard {
  /** reset(): sends password_guard_reset (errors are the dialog's). */
  constructor({ t, reset }) {
    this.t = t;
    this.section = $('room-guard');
    this.text = $('room-guard-text');
    this.active = false;   // guesses counted right now: a later first guess is news again
    $('room-guard-reset').addEventListener('click', () => reset());
  }

  /** Renders the state (null for guests or no state yet). */
  render(g) {
    const text = guardText(this.t, g);
    this.section.hidden = !text;
    this.text.textContent = text;
  }

  /** Whether this state shows guesses after a time without any (then a toast says so). */
  isNews(g) {
    const on = !!guardText(this.t, g);
    const news = on && !this.active;
    this.active = on;
    return news;
  }
}
