// The reaction picker next to the controls: six emoji buttons, opened by the reaction button,
// closed by a choice or Escape (focus back on the button), relabelled on a language switch.

const $ = (id) => document.getElementById(id);

/** [emoji, i18n key under reactions.] */
export const REACTIONS = [['👍', 'thumbs_up'], ['👏', 'clap'], ['❤️', 'heart'], ['😂', 'laugh'], ['😮', 'surprised'], ['🎉', 'party']];

/** The spoken name of an emoji we offer, or null for anything else. */
export function reactionKey(emoji) {
  const entry = REACTIONS.find(([e]) => e === emoji);
  return entry ? entry[1] : null;
}

export class ReactionPicker {
  constructor({ t, onPick }) {
    this.t = t;
    this.onPick = onPick;
    this.box = $('reactions');
    this.button = $('ctl-react');
    this.button.addEventListener('click', () => (this.box.hidden ? this.open() : this.close()));
    this.box.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') { ev.preventDefault(); this.close(true); }
    });
    this.build();
  }

  get isOpen() {
    return !this.box.hidden;
  }

  build() {
    this.box.replaceChildren(...REACTIONS.map(([emoji, key]) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'reactions__button';
      b.textContent = emoji;
      b.dataset.emoji = emoji;
      b.setAttribute('aria-label', this.t(`reactions.${key}`));
      b.title = this.t(`reactions.${key}`);
      b.addEventListener('click', () => { this.onPick(emoji); this.close(true); });
      return b;
    }));
  }

  open() {
    this.box.hidden = false;
    this.button.setAttribute('aria-expanded', 'true');
    this.box.querySelector('button')?.focus();
  }

  close(focusButton = false) {
    this.box.hidden = true;
    this.button.setAttribute('aria-expanded', 'false');
    // On phones the reaction button sits in the "More" menu: focus goes back to that button then.
    if (focusButton) (this.button.offsetParent ? this.button : document.getElementById('ctl-overflow')).focus();
  }
}
