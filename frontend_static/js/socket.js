// A WebSocket that reconnects with backoff and re-sends nothing: after a reconnect the
// server's first message is the full current snapshot, which is all the page needs.

// 4401 not signed in, 4403 not a member, 4404 no such session, 4410 signed out or password
// changed (a reconnect would only be refused), 4429 too many of this member's sockets.
const FATAL_CODES = new Set([4401, 4403, 4404, 4410, 4429]);
const MAX_DELAY = 10;

function commandId() {
  if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
  // crypto.randomUUID needs a secure context; an intranet host over plain HTTP has none.
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export class LiveSocket {
  // handlers: onState, onError, onAck, onStatus, and notConnected: the page's own (translated)
  // words for a command given while the socket is down; this module shows no text itself.
  constructor(path, handlers) {
    this.path = path;
    this.handlers = handlers;
    this.attempt = 0;
    this.socket = null;
    this.connect();
  }

  url() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    return `${scheme}//${location.host}${this.path}`;
  }

  connect() {
    const socket = new WebSocket(this.url());
    this.socket = socket;
    socket.addEventListener("open", () => {
      this.attempt = 0;
      this.handlers.onStatus({ connected: true });
    });
    socket.addEventListener("message", (event) => {
      const message = JSON.parse(event.data);
      if (message.type === "state") this.handlers.onState(message.state);
      else if (message.type === "error") this.handlers.onError(message);
      else if (message.type === "ack") this.handlers.onAck(message);
    });
    socket.addEventListener("close", (event) => {
      if (this.socket !== socket) return;
      if (FATAL_CODES.has(event.code)) {
        this.handlers.onStatus({ connected: false, fatal: true, closeCode: event.code });
        return;
      }
      // Exponential backoff with jitter, so a restarted server is not hit by every page at once.
      const delay = Math.min(MAX_DELAY, 0.5 * 2 ** this.attempt) * (0.75 + Math.random() * 0.5);
      this.attempt += 1;
      this.handlers.onStatus({ connected: false, retryIn: delay });
      setTimeout(() => this.connect(), delay * 1000);
    });
  }

  command(type, args = {}) {
    const id = commandId();
    if (this.socket && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify({ type, id, ...args }));
    } else {
      this.handlers.onError({ id, code: "offline", message: this.handlers.notConnected || "" });
    }
    return id;
  }
}
