// The one socket module of every page (the live session, the cabinet, the personal channel).
//
// ReconnectingSocket: a WebSocket to a path on this site, JSON frames both ways, reconnected
// after a lost connection with exponential backoff and jitter (so a restarted server is not hit
// by every page at once), and at once when the tab becomes visible again or the browser comes
// back online. It re-sends nothing: after a reconnect each server's first message is what the
// page needs (a snapshot, a count). A close with a final code stops it: 4401 not signed in,
// 4403 not allowed, 4404 no such thing, 4410 signed out or password changed, 4429 too many
// sockets; a reconnect would only be refused again.
//
// LiveSocket: the live session's commands on top of it (ids, ack/error/state dispatch).
//
// This module shows no text of its own; pages bring their own translated words.

export const FINAL_CODES = [4401, 4403, 4404, 4410, 4429];

export class ReconnectingSocket {
  // options (all optional):
  //   onMessage(frame)  every JSON frame received (frames that are not JSON are dropped)
  //   onOpen()          each time a connection opens (the first and every reconnect)
  //   onStatus(status)  {connected: true} | {connected: false, retryIn: seconds}
  //                     | {connected: false, fatal: true, closeCode}
  //   finalCodes        close codes after which it stops (default FINAL_CODES)
  //   baseDelay, maxDelay  backoff in seconds: baseDelay doubling up to maxDelay (0.5, 10)
  constructor(path, options = {}) {
    this.path = path;
    this.options = options;
    this.finalCodes = new Set(options.finalCodes || FINAL_CODES);
    this.baseDelay = options.baseDelay ?? 0.5;
    this.maxDelay = options.maxDelay ?? 10;
    this.attempt = 0;
    this.socket = null;
    this.timer = null;
    this.stopped = false;
    this.resume = this.resume.bind(this);
    this.onVisibility = () => { if (document.visibilityState === "visible") this.resume(); };
    document.addEventListener("visibilitychange", this.onVisibility);
    window.addEventListener("online", this.resume);
    this.connect();
  }

  url() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    return `${scheme}//${location.host}${this.path}`;
  }

  get connected() {
    return Boolean(this.socket) && this.socket.readyState === WebSocket.OPEN;
  }

  connect() {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = null;
    const socket = new WebSocket(this.url());
    this.socket = socket;
    socket.addEventListener("open", () => {
      if (this.socket !== socket) return;
      this.attempt = 0;
      this.emit("onStatus", { connected: true });
      this.emit("onOpen");
    });
    socket.addEventListener("message", (event) => {
      if (this.socket !== socket) return;
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      this.emit("onMessage", frame);
    });
    socket.addEventListener("close", (event) => {
      if (this.socket !== socket || this.stopped) return;
      if (this.finalCodes.has(event.code)) {
        this.stop();
        this.emit("onStatus", { connected: false, fatal: true, closeCode: event.code });
        return;
      }
      const delay = Math.min(this.maxDelay, this.baseDelay * 2 ** this.attempt) * (0.75 + Math.random() * 0.5);
      this.attempt += 1;
      this.emit("onStatus", { connected: false, retryIn: delay });
      this.timer = setTimeout(() => this.connect(), delay * 1000);
    });
  }

  // Waiting to reconnect while the tab was hidden or the network away: try now.
  resume() {
    if (this.stopped || this.timer === null) return;
    this.connect();
  }

  // Send one frame as JSON; false (and nothing sent) while not connected.
  send(frame) {
    if (!this.connected) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  // Close for good: no reconnect.
  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = null;
    document.removeEventListener("visibilitychange", this.onVisibility);
    window.removeEventListener("online", this.resume);
    if (this.socket && this.socket.readyState <= WebSocket.OPEN) this.socket.close(1000);
  }

  emit(name, value) {
    const handler = this.options[name];
    if (handler) handler(value);
  }
}

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
  // words for a command given while the socket is down.
  constructor(path, handlers) {
    this.handlers = handlers;
    this.connection = new ReconnectingSocket(path, {
      onMessage: (message) => {
        if (message.type === "state") handlers.onState(message.state);
        else if (message.type === "error") handlers.onError(message);
        else if (message.type === "ack") handlers.onAck(message);
      },
      onStatus: (status) => handlers.onStatus(status),
    });
  }

  // The current WebSocket (the page checks its readyState).
  get socket() {
    return this.connection.socket;
  }

  command(type, args = {}) {
    const id = commandId();
    if (!this.connection.send({ type, id, ...args })) {
      this.handlers.onError({ id, code: "offline", message: this.handlers.notConnected || "" });
    }
    return id;
  }
}
