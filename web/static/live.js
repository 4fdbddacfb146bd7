// The one module that owns the websocket: connects, reconnects with back-off, keeps the clock
// offset to the server, and resyncs after the tab sleeps (a fresh hello and pacer frame).

import { CLOSE, COMMAND, PROTOCOL } from "/protocol.js";

const PING_EVERY_MS = 10000;
const STALE_AFTER_MS = 25000; // no frame (not even a pong) for this long: the socket is dead
const WAKE_GAP_MS = 5000; // a timer late by this much: the tab or the machine slept

/**
 * Follow one session. ``handlers`` has a function per frame type (``hello``, ``beat``, …) and
 * optionally ``onLink({state, attempt})`` (state: connecting, open, reconnecting, gone) and
 * ``onClock(offsetMs)`` (server clock minus this browser's, from ``pong`` frames).
 */
export function connectSession(sessionId, handlers) {
  let socket = null;
  let delayMs = 500;
  let attempt = 0;
  let closed = false;
  let lastFrameMs = Date.now();
  let lastTickMs = Date.now();
  let retryTimer = null;
  let pings = []; // send times of pings awaiting their pong (one socket: pongs come back in order)
  let samples = []; // recent [round trip, offset] pairs: the quickest round trip gives the best offset
  const link = (state) => handlers.onLink?.({ state, attempt });

  function open() {
    clearTimeout(retryTimer);
    retryTimer = null;
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    link(attempt ? "reconnecting" : "connecting");
    const ws = new WebSocket(`${scheme}://${location.host}/ws/sessions/${encodeURIComponent(sessionId)}`);
    socket = ws;
    ws.addEventListener("open", () => {
      if (ws !== socket) return;
      delayMs = 500;
      attempt = 0;
      lastFrameMs = Date.now();
      link("open");
      samples = [];
      pings = [];
      ping();
      // A few quick pings at the start, so the clock offset comes from a short round trip.
      for (const ms of [700, 1400, 2100]) setTimeout(() => { if (ws === socket) ping(); }, ms);
    });
    ws.addEventListener("message", (event) => {
      if (ws !== socket) return;
      lastFrameMs = Date.now();
      let frame;
      try { frame = JSON.parse(event.data); } catch { return; }
      if (frame.v !== PROTOCOL) return;
      if (frame.type === "pong") clockFrom(frame);
      handlers[frame.type]?.(frame);
    });
    ws.addEventListener("close", (event) => {
      if (ws !== socket) return;
      socket = null;
      handlers.onClose?.(event);
      if (closed) return;
      if (event.code === CLOSE.UNKNOWN_SESSION) { link("gone"); return; }
      // The server or the network went away: come back, gently; the hello frame resyncs.
      attempt += 1;
      link("reconnecting");
      retryTimer = setTimeout(open, delayMs);
      delayMs = Math.min(delayMs * 2, 10000);
    });
  }

  function send(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify({ v: PROTOCOL, ...frame }));
      return true;
    }
    return false;
  }

  let lastPingMs = 0;
  function ping() {
    if (send({ type: COMMAND.PING })) {
      lastPingMs = Date.now();
      pings.push(lastPingMs);
    }
  }

  function clockFrom(pong) {
    const sent = pings.shift();
    const now = Date.now();
    if (sent === undefined || now - sent > 5000) return;
    // The server's clock at the middle of the round trip; of the last few, the quickest trip's.
    samples = [...samples.slice(-7), [now - sent, pong.server_utc * 1000 - (sent + now) / 2]];
    const best = samples.reduce((a, b) => (b[0] < a[0] ? b : a));
    handlers.onClock?.(best[1]);
  }

  function reopen() {
    // A socket that slept may look open yet be dead: start over, the hello frame resyncs
    // the traces and the pacer frame after it the guide's phase.
    const old = socket;
    socket = null;
    if (old) { try { old.close(); } catch { /* already closing */ } }
    delayMs = 500;
    open();
  }

  const timer = setInterval(() => {
    const now = Date.now();
    const slept = now - lastTickMs > WAKE_GAP_MS;
    lastTickMs = now;
    if (closed) return;
    if (slept || (socket && now - lastFrameMs > STALE_AFTER_MS)) { reopen(); return; }
    if (socket && socket.readyState === WebSocket.OPEN && now - lastPingMs > PING_EVERY_MS) ping();
  }, 1000);

  document.addEventListener("visibilitychange", () => {
    if (closed || document.visibilityState !== "visible") return;
    if (!socket || socket.readyState > WebSocket.OPEN) { reopen(); return; }
    ping(); // refresh the clock offset at once
  });

  open();
  return {
    send,
    get open() { return socket !== null && socket.readyState === WebSocket.OPEN; },
    close() { closed = true; clearInterval(timer); clearTimeout(retryTimer); socket?.close(); },
  };
}
