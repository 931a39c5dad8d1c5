// What the embedding page's commands (embed.js) do: the same as the page's own buttons. On the
// pre-join screen the microphone and camera commands press its toggles; nothing here joins (the
// visitor's click on "Join" does).

import { displayNameProblem } from '../names.js';

const $ = (id) => document.getElementById(id);

/** leave: room.js' leave(); inMeeting: () → joining or joined. */
export function embedCommands(app, { leave, inMeeting }) {
  const { ui } = app;
  const toggle = (kind, preButton) => {
    if (inMeeting()) return app.actions.toggle(kind);
    if (ui.state === 'prejoin' && !$('prejoin').hidden) $(preButton).click();
    return undefined;
  };
  return {
    toggleMicrophone: () => toggle('audio', 'pre-mic'),
    toggleCamera: () => toggle('video', 'pre-cam'),
    leave: () => {
      if (inMeeting()) return leave();
      if (ui.state === 'lobby') $('lobby-cancel').click();
      return undefined;
    },
    setDisplayName: ({ name }) => {
      const clean = typeof name === 'string' ? name.trim() : '';
      if (displayNameProblem(clean)) return;
      ui.name = clean;                          // the next join ("Join again") uses it
      const input = $('name-input');
      if (ui.state === 'prejoin' || ui.state === 'idle') {
        input.value = clean;
        input.dispatchEvent(new Event('input'));
      }
    },
  };
}
