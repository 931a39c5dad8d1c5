// The meeting's polls as this participant may see them: the `poll` events kept by id (checked
// field by field, oldest first), the requests (create, vote, close, show results, let everyone
// ask), and what changed for the panel (a new poll is announced). Nothing is stored: the server
// sends every poll again after each join. After a reconnect the server sees a new participant,
// so the page itself remembers (in memory, for this meeting) which polls it voted in and does
// not offer them again.

export const POLL_QUESTION_MAX = 300;   // bytes of UTF-8
export const POLL_ANSWER_MAX = 100;
export const POLL_ANSWERS_MIN = 2;
export const POLL_ANSWERS_MAX = 10;

const str = (v) => (typeof v === 'string' ? v : '');
const count = (v) => (Number.isInteger(v) && v >= 0 ? v : 0);

/** A `poll` event's data with only the fields and types it may have, or null. */
export function pollFrom(d) {
  if (!d || !Number.isInteger(d.poll_id) || d.poll_id <= 0 || !Array.isArray(d.answers)) return null;
  const answers = d.answers.slice(0, POLL_ANSWERS_MAX).map(str);
  const indexes = (a) => (Array.isArray(a) ? a.filter((i) => Number.isInteger(i) && i >= 0 && i < answers.length) : []);
  const yours = d.your_vote && typeof d.your_vote === 'object' ? d.your_vote : {};
  return {
    id: d.poll_id,
    by: str(d.by),
    question: str(d.question),
    answers,
    multiple: d.multiple === true,
    secret: d.secret === true,
    running: d.state !== 'closed',
    shown: d.results_shown === true,
    voters: count(d.voters),
    voted: yours.voted === true,
    mine: indexes(yours.choices),
    tallies: Array.isArray(d.tallies) ? answers.map((_, i) => count(d.tallies[i])) : null,
    votes: Array.isArray(d.votes)
      ? d.votes.filter((v) => v && typeof v === 'object').map((v) => ({ id: v.id, name: str(v.name), choices: indexes(v.choices) }))
      : null,
  };
}

/** Share of n in total as a whole percentage (0 when nobody voted). */
export function percent(n, total) {
  return total > 0 ? Math.round((100 * n) / total) : 0;
}

/** What tells a poll apart from a later one under the same id (a room that ended and began again). */
const identity = (p) => JSON.stringify([p.id, p.by, p.question, p.answers, p.multiple, p.secret]);

export function createPolls(app) {
  const polls = new Map();   // id -> pollFrom(…), in arrival order (the server sends oldest first)
  const votedHere = new Map(); // identity -> own choices (open polls) or [] (secret), while the page lives
  const askedHere = new Set(); // ids of the polls this page started (not announced to itself)
  let panel = null;          // ui/polls.js PollsPanel, once the meeting is shown

  const session = () => app.ui.session;
  const list = () => [...polls.values()].sort((a, b) => a.id - b.id);

  function render() {
    const s = session();
    panel?.render(list(), { host: !!s?.isHost, mayCreate: !!s && (s.isHost || s.roomState.polls_open === true),
      open: s?.roomState.polls_open === true });
    app.view.pollsBadge?.(list().filter((p) => p.running && !p.voted).length);
  }

  function changed(d) {
    const p = pollFrom(d);
    if (!p) return;
    const mine = votedHere.get(identity(p));
    if (mine && !p.voted) Object.assign(p, { voted: true, mine: p.secret ? [] : mine });
    const before = polls.get(p.id);
    polls.set(p.id, p);
    render();
    if (!before && p.running && !p.voted && !askedHere.has(p.id) && joinedAt && Date.now() - joinedAt > 1500) {
      panel?.announceNew(p);
    }
    else if (before && before.running && !p.running) panel?.announceClosed(p);
    else if (before && !before.shown && p.shown) panel?.announceShown(p);
  }

  function removed(id) {
    if (polls.delete(id)) render();
  }

  // Polls sent right after a join are the meeting's existing ones: not announced as new.
  let joinedAt = 0;
  function joined() {
    polls.clear();
    askedHere.clear();
    joinedAt = Date.now();
    render();
  }

  const act = (method, params) => session().request(method, params);

  return {
    attach(p) { panel = p; render(); },
    detach() { panel = null; polls.clear(); app.view.pollsBadge?.(0); },
    relabel() { panel?.relabel(); },
    list,
    render,
    create: async ({ question, answers, multiple, secret }) => {
      // the result comes before the poll event: its id is known when the event arrives
      const res = await act('poll_create', { question, answers, multiple, secret });
      if (Number.isInteger(res?.poll_id)) askedHere.add(res.poll_id);
      return res;
    },
    vote: async (id, choices) => {
      await act('poll_vote', { poll_id: id, choices });
      const p = polls.get(id);
      if (p) votedHere.set(identity(p), p.secret ? [] : [...choices]);
    },
    close: (id) => act('poll_close', { poll_id: id }),
    show: (id) => act('poll_show_results', { poll_id: id }),
    setOpen: (anyone) => act('set_polls_open', { anyone }),
    listeners() {
      return { joined, poll: changed, 'poll-removed': removed, room: render, 'self-updated': render };
    },
  };
}
