// The session listeners of the "first meeting" helpers (subscribed next to room/events.js): the
// invite card while one is alone, the visible notices (joins and leaves in rooms of up to 10,
// chat previews while the chat is closed, raised hands). The polite live region still says the
// same for screen readers (room/events.js, ui/chat.js); the notices are for the eyes.

import { SMALL_ROOM } from '../ui/notices.js';

export function firstMeetingListeners(app, session) {
  const { t, ui } = app;
  const notices = app.notices;
  const small = () => session.participants.size + 1 <= SMALL_ROOM;
  const settled = () => Date.now() > ui.quietUntil;   // not the crowd already there when we came
  let handsBefore = [];
  const invite = () => app.invite.update(session.participantId !== null);

  return {
    joined: invite,
    'participant-joined': (p) => {
      invite();
      if (settled() && small()) notices.show('join', { who: p.name, text: t('notice.joined') });
    },
    'participant-left': (p, reason) => {
      invite();
      if (reason !== 'reconnect' && reason !== 'moved' && small()) notices.show('leave', { who: p.name, text: t('notice.left') });
    },
    chat: (msg) => {
      if (msg.from === session.participantId || ui.chat?.isOpen) return;
      const isPrivate = msg.to !== null && msg.to !== undefined;
      const name = msg.from_name || session.participants.get(msg.from)?.name || '?';
      notices.chat(name, msg.text ?? '', isPrivate ? t('notice.private') : '');
    },
    hands: (queue) => {
      const fresh = queue.filter((id) => !handsBefore.includes(id) && id !== session.participantId);
      handsBefore = [...queue];
      if (!settled()) return;
      for (const id of fresh) {
        const name = session.participants.get(id)?.name;
        if (name) notices.show('hand', { who: name, text: t('notice.hand', { position: queue.indexOf(id) + 1 }) });
      }
    },
  };
}
