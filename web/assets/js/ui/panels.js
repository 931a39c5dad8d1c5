// The side panels of the meeting (chat, people, polls, breakout groups): at most one open, its control
// button pressed, focus moved into it on open and back to the button on close.

const $ = (id) => document.getElementById(id);
const PANELS = {
  chat: ['chat-panel', 'ctl-chat'], people: ['people-panel', 'ctl-people'], polls: ['polls-panel', 'ctl-polls'],
  breakout: ['breakout-panel', 'ctl-breakout'],
};

export class Panels {
  /** onOpen(which): the chat marks messages read, the people panel renders; onLayout(): the stage resizes. */
  constructor({ onOpen, onLayout }) {
    this.onOpen = onOpen;
    this.onLayout = onLayout;
    this.current = null;   // 'chat' | 'people' | 'polls' | 'breakout' | null
    for (const name of Object.keys(PANELS)) {
      $(PANELS[name][1]).addEventListener('click', () => this.toggle(name));
      $(`${name}-close`).addEventListener('click', () => this.closeToButton());
    }
  }

  open(which) {
    for (const [name, [panelId, buttonId]] of Object.entries(PANELS)) {
      const open = name === which;
      $(panelId).hidden = !open;
      $(buttonId).setAttribute('aria-expanded', String(open));
      $(buttonId).classList.toggle('is-active', open);
    }
    this.current = which;
    document.body.classList.toggle('has-panel', !!which);
    if (which) this.onOpen(which);
    if (which === 'chat') {
      $('chat-input').focus();
    } else if (which) {
      $(`${which}-title`).setAttribute('tabindex', '-1');
      $(`${which}-title`).focus();
    }
    this.onLayout();
  }

  toggle(which) {
    if (this.current === which) this.closeToButton();
    else this.open(which);
  }

  /** Closes the open panel and puts focus back on its button. */
  closeToButton() {
    const which = this.current;
    this.open(null);
    // On phones "People", "Polls" and the groups sit in the "More" menu: focus goes back to that button then.
    const button = which ? $(PANELS[which][1]) : null;
    if (button) (button.offsetParent ? button : $('ctl-overflow')).focus();
  }
}
