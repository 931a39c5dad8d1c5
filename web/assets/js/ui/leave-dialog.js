// What "Leave" offers a host: leave (the others stay), or end the meeting for everyone
// (`end_meeting`) after a second, explicit confirmation that names how many people it affects.
// Guests leave at once; they have nothing to choose.

const $ = (id) => document.getElementById(id);
const HOST_ERRORS = ['forbidden', 'not_found', 'rate_limited', 'disconnected'];

export class LeaveDialog {
  /** session(): the Session; leave(): leaves the meeting; count(): people in the meeting. */
  constructor({ t, session, leave, count }) {
    this.t = t;
    this.session = session;
    this.leave = leave;
    this.count = count;
    this.dialog = $('leave-dialog');
    $('leave-only').addEventListener('click', () => { this.dialog.close(); this.leave(); });
    $('leave-end').addEventListener('click', () => this.step('confirm'));
    $('leave-end-no').addEventListener('click', () => this.step('choose'));
    $('leave-end-yes').addEventListener('click', () => this.end());
    $('leave-cancel').addEventListener('click', () => this.dialog.close());
    this.dialog.addEventListener('close', () => $('ctl-leave').focus());
  }

  /** The leave button: hosts choose, guests leave. */
  request() {
    if (!this.session()?.isHost) return this.leave();
    this.step('choose');
    $('leave-error').hidden = true;
    this.dialog.showModal();
    $('leave-only').focus();
    return undefined;
  }

  step(which) {
    $('leave-choose').hidden = which !== 'choose';
    $('leave-confirm').hidden = which !== 'confirm';
    $('leave-title').textContent = this.t(which === 'confirm' ? 'leave.end_title' : 'leave.title');
    if (which === 'confirm') {
      $('leave-end-question').textContent = this.t('leave.end_question', { count: this.count() });
      $('leave-end-yes').focus();
    } else if (this.dialog.open) {
      $('leave-end').focus();
    }
  }

  async end() {
    const err = $('leave-error');
    err.hidden = true;
    try {
      await this.session().request('end_meeting', {});
      this.dialog.close();
    } catch (e) {
      err.textContent = this.t(`host.error.${HOST_ERRORS.includes(e.code) ? e.code : 'generic'}`);
      err.hidden = false;
    }
  }
}
