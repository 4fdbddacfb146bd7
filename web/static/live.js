// The one module that owns the websocket: connects, reconnects with back-off, dispatches frames.

import { CLOSE, PROTOCOL } from "/protocol.js";

export function connectSession(sessionId, handlers) {
  let socket = null;
  let delayMs = 500;
  let closed = false;

  function open() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    socket = new WebSocket(`${scheme}://${location.host}/ws/sessions/${encodeURIComponent(sessionId)}`);
    socket.addEventListener("open", () => { delayMs = 500; handlers.onOpen?.(); });
    socket.addEventListener("message", (event) => {
      let frame;
      try { frame = JSON.parse(event.data); } catch { return; }
      if (frame.v !== PROTOCOL) return;
      handlers[frame.type]?.(frame);
    });
    socket.addEventListener("close", (event) => {
      handlers.onClose?.(event);
      if (closed || event.code === CLOSE.UNKNOWN_SESSION) return;
      // The server or the network went away: come back, gently, and resync from the hello frame.
      setTimeout(open, delayMs);
      delayMs = Math.min(delayMs * 2, 10000);
    });
  }

  open();
  return {
    send(frame) {
      if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ v: PROTOCOL, ...frame }));
    },
    close() { closed = true; socket?.close(); },
  };
}
