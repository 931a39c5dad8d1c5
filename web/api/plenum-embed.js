/*
 * plenum-embed.js: puts a plenum meeting into another web page (a town's website, a portal).
 * Documentation: docs/embedding.md in plenum's sources. Load it from the plenum server itself,
 * as a classic script, so that it knows where the meetings live:
 *
 *   <div id="meeting"></div>
 *   <script src="https://meet.town.de/api/plenum-embed.js"></script>
 *   <script>
 *     const m = new PlenumMeeting({ parentNode: document.getElementById('meeting'), room: 'rathaus', lang: 'de' });
 *     m.on('readyToClose', () => m.dispose());
 *   </script>
 *
 * The meeting runs in an iframe of the plenum origin. The page and the iframe talk through
 * postMessage, both sides checking who speaks: this script listens only to its own iframe at the
 * plenum origin and posts only to that origin; the meeting page listens only to its parent at the
 * origin named in its address, and only when the plenum server lists that origin in the tenant's
 * embed-origins (which its frame-ancestors header enforces as well). Name, language and token
 * travel in the iframe address's fragment (#…), which browsers never send to a server.
 * Joining always takes the visitor's own click on "Join" in the meeting (browsers want a gesture
 * before camera, microphone and sound anyway).
 */
(function (root) {
  'use strict';

  // The origin this script came from: where the meetings are. Known only while the script runs
  // for the first time (document.currentScript is null later, and in modules).
  var scriptOrigin = '';
  try {
    var current = root.document && root.document.currentScript;
    if (current && current.src) scriptOrigin = new URL(current.src).origin;
  } catch (e) { /* no usable src: the origin option must say it */ }

  var EVENTS = ['ready', 'joined', 'left', 'participantJoined', 'participantLeft', 'readyToClose',
    'audioMuteChanged', 'videoMuteChanged'];
  var ALLOW = 'camera; microphone; display-capture; fullscreen; autoplay; clipboard-write';

  function httpOrigin(value) {
    var u;
    try { u = new URL(String(value)); } catch (e) { return ''; }
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.origin : '';
  }

  function cssSize(v, fallback) {
    if (v === undefined || v === null || v === '') return fallback;
    return typeof v === 'number' ? v + 'px' : String(v);
  }

  function plainCopy(data) {
    var out = {};
    if (data && typeof data === 'object' && !Array.isArray(data)) {
      for (var k in data) if (Object.prototype.hasOwnProperty.call(data, k)) out[k] = data[k];
    }
    return out;
  }

  /**
   * new PlenumMeeting({parentNode, room, name, token, lang, width, height, origin, title})
   *   parentNode  the element the iframe goes into (default document.body)
   *   room        the room's name (required), e.g. "rathaus" or "Elternabend Klasse 3b"
   *   name        display name to fill in on the pre-join screen (the visitor can change it)
   *   token       a JWT from the town's portal (name, role host); sent in the join, never logged
   *   lang        "de" or "en"
   *   width       CSS width, number = px (default "100%"); height likewise (default 600)
   *   origin      the plenum server, e.g. "https://meet.town.de" (default: where this script came from)
   *   title       the iframe's title for screen readers (default "Videokonferenz: <room>" / "Video meeting: <room>")
   */
  function PlenumMeeting(options) {
    if (!(this instanceof PlenumMeeting)) throw new TypeError('PlenumMeeting: use new PlenumMeeting({...})');
    var o = options || {};
    var doc = root.document;
    var origin = o.origin !== undefined ? httpOrigin(o.origin) : scriptOrigin;
    if (!origin) throw new TypeError('PlenumMeeting: no plenum origin (load the script from the plenum server or pass origin)');
    if (typeof o.room !== 'string' || !o.room.trim()) throw new TypeError('PlenumMeeting: room is required');
    var parent = o.parentNode || doc.body;
    if (!parent || typeof parent.appendChild !== 'function') throw new TypeError('PlenumMeeting: parentNode is not an element');

    this.origin = origin;
    this.room = o.room.trim();
    this._listeners = {};
    this._queue = [];
    this._ready = false;
    this._disposed = false;

    var frag = ['embed=' + encodeURIComponent(root.location.origin)];
    if (o.name) frag.push('name=' + encodeURIComponent(String(o.name)));
    if (o.lang) frag.push('lang=' + encodeURIComponent(String(o.lang)));
    if (o.token) frag.push('jwt=' + encodeURIComponent(String(o.token)));

    var lang = String(o.lang || (doc.documentElement && doc.documentElement.lang) || '');
    var iframe = doc.createElement('iframe');
    iframe.setAttribute('allow', ALLOW);
    iframe.setAttribute('referrerpolicy', 'no-referrer');
    iframe.setAttribute('title', o.title ? String(o.title)
      : (/^de\b/i.test(lang) ? 'Videokonferenz: ' : 'Video meeting: ') + this.room);
    iframe.style.border = '0';
    iframe.style.width = cssSize(o.width, '100%');
    iframe.style.height = cssSize(o.height, '600px');
    iframe.src = origin + '/' + encodeURIComponent(this.room) + '#' + frag.join('&');
    this._iframe = iframe;

    var self = this;
    this._onMessage = function (ev) { self._receive(ev); };
    root.addEventListener('message', this._onMessage);
    parent.appendChild(iframe);
  }

  PlenumMeeting.EVENTS = EVENTS.slice();

  /** The iframe element (to style or move it). */
  PlenumMeeting.prototype.getIFrame = function () { return this._iframe; };

  /** Calls fn(data) on every event `name` (see PlenumMeeting.EVENTS); returns this. */
  PlenumMeeting.prototype.on = function (name, fn) {
    if (typeof fn !== 'function' || EVENTS.indexOf(name) < 0) return this;
    (this._listeners[name] = this._listeners[name] || []).push(fn);
    return this;
  };

  /** Removes a handler given to on(); returns this. */
  PlenumMeeting.prototype.off = function (name, fn) {
    var list = this._listeners[name];
    if (list) this._listeners[name] = list.filter(function (f) { return f !== fn; });
    return this;
  };

  /** Microphone on/off, as the meeting's own button does (also on the pre-join screen). */
  PlenumMeeting.prototype.toggleMicrophone = function () { this._command('toggleMicrophone'); };
  /** Camera on/off, as the meeting's own button does (also on the pre-join screen). */
  PlenumMeeting.prototype.toggleCamera = function () { this._command('toggleCamera'); };
  /** Leaves the meeting (or stops waiting in the lobby); readyToClose follows. */
  PlenumMeeting.prototype.leave = function () { this._command('leave'); };
  /** The name on the pre-join screen; once in a meeting, the name for the next join. */
  PlenumMeeting.prototype.setDisplayName = function (name) { this._command('setDisplayName', { name: String(name) }); };

  /** Removes the iframe (which leaves the meeting) and every handler. */
  PlenumMeeting.prototype.dispose = function () {
    if (this._disposed) return;
    this._disposed = true;
    root.removeEventListener('message', this._onMessage);
    if (this._iframe && this._iframe.parentNode) this._iframe.parentNode.removeChild(this._iframe);
    this._listeners = {};
    this._queue = [];
  };

  // Commands before the meeting page answered wait for it (in order).
  PlenumMeeting.prototype._command = function (name, data) {
    if (this._disposed) return;
    var msg = { plenum: 1, type: 'command', name: name, data: data || {} };
    if (!this._ready) { this._queue.push(msg); return; }
    this._post(msg);
  };

  PlenumMeeting.prototype._post = function (msg) {
    var win = this._iframe && this._iframe.contentWindow;
    if (!win) return;
    try { win.postMessage(msg, this.origin); } catch (e) { /* the frame is gone */ }
  };

  // Only our own iframe at the plenum origin is heard; anything else, or anything malformed, is ignored.
  PlenumMeeting.prototype._receive = function (ev) {
    try {
      if (this._disposed || !this._iframe || ev.source !== this._iframe.contentWindow || ev.origin !== this.origin) return;
      var d = ev.data;
      if (!d || typeof d !== 'object' || d.plenum !== 1 || d.type !== 'event' || typeof d.name !== 'string') return;
      if (EVENTS.indexOf(d.name) < 0) return;
      if (d.name === 'ready') {
        this._ready = true;
        var queued = this._queue;
        this._queue = [];
        for (var i = 0; i < queued.length; i++) this._post(queued[i]);
      }
      this._emit(d.name, plainCopy(d.data));
    } catch (e) { /* never let a message break the page */ }
  };

  PlenumMeeting.prototype._emit = function (name, data) {
    var list = (this._listeners[name] || []).slice();
    for (var i = 0; i < list.length; i++) {
      try { list[i].call(this, plainCopy(data)); } catch (err) {
        if (root.console) root.console.error('PlenumMeeting: a handler for ' + name + ' failed', err);
      }
    }
  };

  root.PlenumMeeting = PlenumMeeting;
  if (typeof module === 'object' && module && module.exports) module.exports = PlenumMeeting;
})(typeof window !== 'undefined' ? window : globalThis);
