// The live page's WHEP client (draft-ietf-wish-whep; docs/protocol.md "WHEP", "The live page"): a
// recvonly audio and video offer posted with the stream token, the answer applied, the resource
// deleted when the page goes; what a refusal means and when to try again. No DOM here.

export const RETRY_MS = 15000;       // 403, 404, 429, 503, a network error: try again after this
export const RETRY_MAX_MS = 60000;   // a longer Retry-After is cut to this
const JWT = /^[A-Za-z0-9_-]{1,2048}\.[A-Za-z0-9_-]{1,2048}\.[A-Za-z0-9_-]{1,1024}$/;
const KINDS = { 401: 'invalid', 403: 'not_started', 404: 'no_meeting', 429: 'busy', 503: 'busy' };

/** The stream token of a live page's fragment ("#TOKEN", or "#token=TOKEN"); '' when it has none. */
export function tokenFromFragment(hash) {
  const raw = String(hash || '').replace(/^#/, '');
  const v = raw.startsWith('token=') ? new URLSearchParams(raw).get('token') || '' : raw;
  return JWT.test(v) ? v : '';
}

/**
 * What an answer other than 201 means for the viewer: kind 'invalid' (401), 'not_started' (403),
 * 'no_meeting' (404), 'busy' (429, 503, other 5xx), 'failed' (an offer the server cannot take) and
 * retryMs, when to try again (0: never; RETRY_MS or a longer Retry-After, at most RETRY_MAX_MS).
 */
export function refusal(status, retryAfter = null) {
  const kind = KINDS[status] || (status >= 500 ? 'busy' : 'failed');
  if (kind === 'invalid' || kind === 'failed') return { kind, retryMs: 0 };
  const s = Number.parseInt(retryAfter ?? '', 10);
  const asked = Number.isFinite(s) && s > 0 ? Math.min(s * 1000, RETRY_MAX_MS) : 0;
  return { kind, retryMs: Math.max(RETRY_MS, asked) };
}

/** One viewing: start() posts the offer, stop() ends it. `pc` is the RTCPeerConnection (for stats). */
export class WhepViewer {
  /** url: the room's WHEP endpoint; options: fetch and RTCPeerConnection (the browser's by default). */
  constructor(url, token, { fetch: fetchFn = (...a) => globalThis.fetch(...a),
    RTCPeerConnection: PC = globalThis.RTCPeerConnection } = {}) {
    this.url = url;
    this.token = token;
    this.fetch = fetchFn;
    this.PC = PC;
    this.pc = null;
    this.resource = null;
  }

  /**
   * Resolves {ok: true} once the answer is applied (onTrack(event) gets the tracks), else
   * {ok: false, status, retryAfter} (status 0: the server could not be reached).
   */
  async start(onTrack) {
    this.stop();
    const pc = new this.PC({ bundlePolicy: 'max-bundle' });
    this.pc = pc;
    pc.addTransceiver('audio', { direction: 'recvonly' });
    pc.addTransceiver('video', { direction: 'recvonly' });
    pc.ontrack = onTrack;
    await pc.setLocalDescription(await pc.createOffer());
    let res;
    try {
      res = await this.fetch(this.url, {
        method: 'POST', body: pc.localDescription.sdp,
        headers: { 'Content-Type': 'application/sdp', Authorization: `Bearer ${this.token}` },
      });
    } catch {
      return this.refused(0, null);
    }
    if (res.status !== 201) return this.refused(res.status, res.headers.get('Retry-After'));
    const location = res.headers.get('Location');
    this.resource = location ? new URL(location, this.url).href : null;
    const sdp = await res.text();
    if (this.pc !== pc) return { ok: false, status: 0, retryAfter: null };   // stopped meanwhile
    await pc.setRemoteDescription({ type: 'answer', sdp });
    return { ok: true };
  }

  refused(status, retryAfter) {
    this.pc?.close();
    this.pc = null;
    return { ok: false, status, retryAfter };
  }

  /** Ends the viewing: DELETE of the resource (kept alive past the page's end), the connection closed. */
  stop() {
    if (this.resource) {
      this.fetch(this.resource, { method: 'DELETE', keepalive: true, headers: { Authorization: `Bearer ${this.token}` } })
        .catch(() => {});
      this.resource = null;
    }
    this.pc?.close();
    this.pc = null;
  }
}
