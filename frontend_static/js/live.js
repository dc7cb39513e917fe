// The live page: one WebSocket, full snapshots from the server, countdowns drawn locally.
// The server decides everything; this file only renders the member's view and sends commands.
import { LiveSocket } from "./socket.js";
import markdownit from "../vendor/markdown-it.esm.min.mjs";

const config = JSON.parse(document.getElementById("live-config").textContent);
// Every word shown comes from the server, translated (config.i18n, plus the template's
// live-strings dataset); this file holds no interface text of its own.
const t = { ...config.i18n, ...document.getElementById("live-strings").dataset };
const lang = config.language || document.documentElement.lang || "en";
const plurals = new Intl.PluralRules(lang);
// "%(name)s asks" with {name: "Olga"}; a plural entry ({one, few, many, other}) by params.n.
function fmt(key, params = {}) {
  let text = t[key];
  if (text && typeof text === "object") text = text[plurals.select(params.n)] || text.other;
  return String(text ?? key).replace(/%\((\w+)\)s/g, (whole, name) => (name in params ? String(params[name]) : whole));
}
function clockTime(seconds) {
  const options = { hour: "2-digit", minute: "2-digit", timeZoneName: "short" };
  try {
    return new Intl.DateTimeFormat(lang, { ...options, timeZone: config.timeZone }).format(new Date(seconds * 1000));
  } catch { // an unknown zone name: the browser's own
    return new Intl.DateTimeFormat(lang, options).format(new Date(seconds * 1000));
  }
}
// Questions and answers are Markdown: a safe subset (code, lists, emphasis), raw HTML escaped.
const markdown = markdownit("commonmark", { html: false, linkify: false, breaks: true }).disable(
  ["link", "image", "autolink", "html_inline", "html_block", "heading", "lheading", "hr", "blockquote", "reference"],
  true,
);
function renderMarkdown(node, text) {
  if (node.dataset.source === text) return;
  node.dataset.source = text;
  node.innerHTML = markdown.render(text || ""); // html: false, so user text cannot inject markup
}
const baseTitle = document.title;
let wasMyTurn = false;
let rendered = false;       // the first snapshot announces nothing and moves no focus
let focusScore = false;     // a shortcut scored or skipped: the next question's field gets focus
const $ = (id) => document.getElementById(id);

let view = null;          // the latest snapshot for this member
let clockOffset = 0;      // server time minus local time, in seconds
let renderedQuestion = null;
let renderedFeedbackKeys = null;

const socket = new LiveSocket(config.wsPath, {
  notConnected: t.notConnected,
  onState(state) {
    if (view && state.version < view.version) return; // an older push: ignore it
    clockOffset = state.server_time - Date.now() / 1000;
    view = state;
    for (const [id, wait] of pending) {
      if (wait.version !== null && wait.version <= view.version) pending.delete(id);
    }
    render();
    for (const wait of pending.values()) wait.button.disabled = true; // still awaiting
  },
  onError(error) { release(error.id); showNotice(error.message); },
  onAck(ack) { settle(ack.id, ack.version); hideNotice(); },
  onStatus(status) { if (!status.connected) releaseAll(); showStatus(status); },
});

// --- commands -----------------------------------------------------------------------------

// A command that acts on the current question or block names it, as this page saw it: the
// server refuses it as "stale" if that is no longer current (a double click, a hand-over).
function aim(type) {
  const current = view && view.current;
  if (!current) return {};
  if (type === "question.next" || type === "question.skip") {
    return current.question ? { question: current.question.key } : {};
  }
  if (["question.add", "block.yield", "session.pause", "session.resume", "block.extend"].includes(type)) {
    return { block: current.index };
  }
  return {};
}

// A command's button stays disabled until its error arrives, or its ack and the snapshot of
// the version the ack names (or the socket drops). The ack comes straight back while the
// snapshot travels through the channel layer and may come later: a button enabled in between
// would still show the old question, and a second click would be refused as stale.
const pending = new Map(); // command id -> {button, version (awaited snapshot) or null}
const SNAPSHOT_WAIT_MS = 5000; // the server's stored-version check delivers a lost push sooner
function release(id) {
  if (!pending.delete(id)) return;
  if (view) render();
}
function settle(id, version) {
  const wait = pending.get(id);
  if (!wait) return;
  if (!view || typeof version !== "number" || view.version >= version) { release(id); return; }
  wait.version = version;
  setTimeout(() => release(id), SNAPSHOT_WAIT_MS);
}
function releaseAll() {
  if (pending.size === 0) return;
  pending.clear();
  if (view) render();
}

function send(type, args = {}, button = null) {
  hideNotice();
  const id = socket.command(type, { ...aim(type), ...args });
  if (button && socket.socket && socket.socket.readyState === WebSocket.OPEN) {
    pending.set(id, { button, version: null });
    button.disabled = true;
  }
}

function on(id, event, handler) { $(id).addEventListener(event, handler); }

on("proposal-request", "click", () => send("proposal.request", {}, $("proposal-request")));
on("proposal-accept", "click", () => send("proposal.accept", {}, $("proposal-accept")));
on("start", "click", () => send("session.start", {}, $("start")));
on("blocks-begin", "click", () => send("blocks.begin", {}, $("blocks-begin")));
on("skip", "click", () => send("question.skip", {}, $("skip")));
on("yield", "click", () => send("block.yield", {}, $("yield")));
on("lead-yield", "click", () => send("block.yield", {}, $("lead-yield")));
on("pause", "click", () => send("session.pause", {}, $("pause")));
on("resume", "click", () => send("session.resume", {}, $("resume")));
on("extend", "click", () => send("block.extend", { seconds: 120 }, $("extend")));
on("finish", "click", () => send("session.finish", {}, $("finish")));
on("score-form", "submit", (event) => {
  event.preventDefault();
  if ($("next").disabled) return; // Enter pressed again before the reply
  send("question.next", { score: Number($("score").value), note: $("note").value }, $("next"));
});
on("add-form", "submit", (event) => {
  event.preventDefault();
  send("question.add", {
    text: $("add-text").value, answer: $("add-answer").value, max_points: Number($("add-max").value),
  });
  $("add-form").reset();
  $("add-question").open = false;
});
on("feedback-form", "submit", (event) => {
  event.preventDefault();
  const items = {};
  for (const field of document.querySelectorAll("#feedback-items textarea")) {
    if (field.value.trim()) items[field.dataset.key] = field.value;
  }
  send("feedback.submit", { summary: $("feedback-summary").value, items });
});
function remembered(id, key, apply) {
  const box = $(id);
  box.checked = localStorage.getItem(key) === "1";
  apply(box.checked);
  box.addEventListener("change", () => { localStorage.setItem(key, box.checked ? "1" : "0"); apply(box.checked); });
}
remembered("hide-answers", "roundtable.hideAnswers", (hide) => document.body.classList.toggle("hide-answers", hide));
remembered("turn-sound", "roundtable.turnSound", () => {});

function beep() {
  try {
    const audio = new AudioContext();
    const tone = audio.createOscillator();
    tone.connect(audio.destination);
    tone.frequency.value = 660;
    tone.start();
    tone.stop(audio.currentTime + 0.2);
  } catch { /* no audio: the title and the highlight still say it */ }
}

function renderTurn() {
  const mine = view.phase === "blocks" && view.current !== null && view.current.owner === view.me;
  document.body.classList.toggle("my-turn", mine);
  $("your-turn").hidden = !mine;
  document.title = mine ? `${t.yourTurn} · ${baseTitle}` : baseTitle;
  if (mine && !wasMyTurn) {
    if ($("turn-sound").checked) beep();
    // The turn passed to this member: their controls get the focus (not on the first load,
    // which would pull the page away from where a reloading person is reading).
    if (rendered && !$("score-form").hidden) $("score").focus();
  }
  wasMyTurn = mine;
}

// --- announcements: a polite live region, for the hand-over, the last minute and pauses -----

let announced = { block: null, lastMinute: null, paused: null, phase: null };
function announce(text) {
  const region = $("announcer");
  // Cleared first, so the same words said twice (two hand-overs to one person) are read twice.
  region.textContent = "";
  setTimeout(() => { region.textContent = text; }, 50);
}
function announceChanges() {
  const current = view.phase === "blocks" ? view.current : null;
  const block = current ? current.index : null;
  const before = announced;
  announced = { ...before, block, paused: view.paused, phase: view.phase };
  if (current && block !== before.block) {
    const left = view.paused ? current.remaining : current.deadline - serverNow();
    if (left <= 60) announced.lastMinute = block; // a short block: the hand-over says enough
  }
  if (!rendered) return;
  if (current && block !== before.block) {
    announce(current.owner === view.me
      ? fmt("handOverYou", { topic: current.topic })
      : fmt("handOver", { name: nameOf(current.owner), topic: current.topic }));
  } else if (current && before.paused !== null && view.paused !== before.paused) {
    announce(view.paused ? t.pausedNow : t.resumedNow);
  } else if (view.phase === "closing" && before.phase === "blocks") {
    announce(t.closingNow);
  }
}
function announceLastMinute(current, remaining) {
  if (remaining > 60 || remaining <= 0 || view.paused || announced.lastMinute === current.index) return;
  announced.lastMinute = current.index;
  if (remaining > 55) announce(t.lastMinute); // not when the page opens in the last minute
}

// --- the skip link and keyboard shortcuts ---------------------------------------------------

const skipLink = $("skip-link");
document.body.prepend(skipLink); // first in the page, before the site's header
function renderSkipLink() {
  const target = view.phase === "blocks" ? "question-card" : view.phase;
  skipLink.href = `#${target}`;
  skipLink.textContent = view.phase === "blocks" ? t.skipQuestion : t.skipStep;
}
skipLink.addEventListener("click", (event) => {
  const target = document.getElementById(skipLink.hash.slice(1));
  if (!target || target.hidden) return;
  event.preventDefault();
  target.focus({ preventScroll: true });
  target.scrollIntoView({ block: "start" });
});

const dialog = $("shortcuts");
let focusBeforeDialog = null;
function openShortcuts() {
  if (dialog.open) return;
  focusBeforeDialog = document.activeElement;
  dialog.showModal();
  $("shortcuts-close").focus();
}
on("shortcuts-open", "click", openShortcuts);
dialog.addEventListener("close", () => {
  // Escape and the Close button both end here: the focus goes back where it was.
  if (focusBeforeDialog && document.contains(focusBeforeDialog)) focusBeforeDialog.focus();
  focusBeforeDialog = null;
});

const NOT_TYPED = new Set(["checkbox", "radio", "button", "submit", "reset", "range", "color", "file"]);
function typing(target) {
  if (!(target instanceof Element)) return false;
  if (target.isContentEditable) return true;
  const field = target.closest("input, textarea, select, [contenteditable]");
  if (!field) return false;
  return field.tagName !== "INPUT" || !NOT_TYPED.has(field.type);
}
function press(id) {
  const button = $(id);
  if (!button || button.disabled || button.offsetParent === null) return false;
  button.click();
  return true;
}
const SHORTCUTS = {
  n: () => {
    if (!view || view.phase !== "blocks" || $("score-form").hidden || $("next").disabled) return false;
    focusScore = true;
    $("score-form").requestSubmit();
    return true;
  },
  s: () => (focusScore = press("skip")),
  e: () => press("yield") || press("lead-yield"),
  p: () => press("pause") || press("resume"),
  a: () => {
    const details = $("add-question");
    if (details.hidden) return false;
    details.open = true;
    $("add-text").focus();
    return true;
  },
};
document.addEventListener("keydown", (event) => {
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
  if (dialog.open || typing(event.target)) return;
  if (event.key === "?") { event.preventDefault(); openShortcuts(); return; }
  // The letter as typed, or on a non-Latin layout (a Russian keyboard) the key's place.
  const typed = event.key.length === 1 ? event.key.toLowerCase() : "";
  const place = /^Key([A-Z])$/.exec(event.code || "");
  const letter = /^[a-z]$/.test(typed) ? typed : (place ? place[1].toLowerCase() : typed);
  const action = Object.hasOwn(SHORTCUTS, letter) ? SHORTCUTS[letter] : null;
  if (action && !event.shiftKey && view && action()) event.preventDefault();
});

on("copy-link", "click", async () => {
  const field = $("join-link");
  try { await navigator.clipboard.writeText(field.value); } catch { field.select(); document.execCommand("copy"); }
  $("copy-link").textContent = t.copied;
});

// --- rendering ----------------------------------------------------------------------------

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key.startsWith("data-")) node.setAttribute(key, value);
    else node[key] = value;
  }
  for (const child of children) node.append(child);
  return node;
}

const can = (type) => view.can.includes(type);
const nameOf = (id) => {
  const member = view.members.find((m) => m.id === id);
  return member ? member.name : `#${id}`;
};
const serverNow = () => Date.now() / 1000 + clockOffset;
function mmss(seconds) {
  const s = Math.max(0, Math.ceil(seconds));
  return `${String(Math.floor(s / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
}
// A planned length: "15 minutes" ("15 минут") when whole minutes, else mm:ss.
function duration(seconds) {
  return seconds % 60 === 0 ? fmt("minutes", { n: seconds / 60 }) : mmss(seconds);
}

function render() {
  announceChanges();
  document.body.dataset.phase = view.phase;
  document.body.dataset.version = view.version;
  $("phase").textContent = t[view.phase] || view.phase;
  for (const phase of ["lobby", "intro", "blocks", "closing", "finished"]) {
    $(phase).hidden = view.phase !== phase;
  }
  renderMembers();
  if (view.phase === "lobby") renderLobby();
  if (view.phase === "intro") renderIntro();
  if (view.phase === "blocks") renderBlocks();
  if (view.phase === "closing") {
    $("closing-text").textContent = view.closing_text;
    $("finish").hidden = !can("session.finish");
  }
  if (view.phase === "finished") renderFinished();
  renderFeedback();
  renderTurn();
  renderSkipLink();
  tick();
  rendered = true;
}

function renderMembers() {
  const list = $("member-list");
  list.replaceChildren(...view.members.map((m) => el("span", {
    class: `pill ${m.online ? "online" : "offline"}`,
    "data-member": String(m.id),
    title: m.online ? t.online : t.offline,
  }, m.name + (m.is_lead ? ` (${t.lead})` : "") + (m.id === view.me ? ` — ${t.you}` : ""),
  el("span", { class: "visually-hidden" }, `, ${m.online ? t.online : t.offline}`))));
}

function renderLobby() {
  const mayClaim = can("claim.set");
  $("topic-list").replaceChildren(...view.topics.map((topic) => {
    const mine = topic.claimants.includes(view.me);
    const box = el("input", { type: "checkbox", checked: mine, disabled: !mayClaim, id: `claim-${topic.id}` });
    box.addEventListener("change", () => send("claim.set", { topic_id: topic.id, claimed: box.checked }));
    const who = topic.claimants.length ? topic.claimants.map(nameOf).join(", ") : t.nobody;
    return el("li", { class: topic.conflict ? "conflict" : "", "data-topic": topic.name },
      box,
      el("label", { htmlFor: `claim-${topic.id}` }, el("strong", {}, topic.name), ` · ${duration(topic.seconds)}`),
      el("span", { class: "muted" }, fmt("claimedBy", { names: who })),
      // Not by colour alone: a conflict says so in words too.
      topic.conflict ? el("span", { class: "pill conflict" }, el("span", { "aria-hidden": "true" }, "⚠ "), t.conflict) : "");
  }));
  $("conflicts").hidden = view.conflicts.length === 0;
  $("conflict-list").replaceChildren(...view.conflicts.map((c) =>
    el("li", { "data-conflict": c.topic }, fmt("conflictOn", { names: c.members.map(nameOf).join(", "), topic: c.topic }))));
  const unclaimed = view.topics.filter((topic) => topic.claimants.length === 0).map((topic) => topic.name);
  $("unclaimed").hidden = unclaimed.length === 0;
  $("unclaimed").textContent = fmt("unclaimed", { topics: unclaimed.join(", ") });
  $("start").hidden = !view.is_lead;
  $("start").disabled = !can("session.start");
  $("start-hint").textContent = view.ready ? (view.is_lead ? t.readyHint : t.leadOnly) : t.notReadyHint;
  $("proposal-request").hidden = !can("proposal.request");
  const proposal = view.proposal;
  $("proposal").hidden = !proposal;
  if (proposal) {
    const topicName = (id) => (view.topics.find((topic) => topic.id === id) || {}).name;
    $("proposal-list").replaceChildren(...proposal.assignment.map((a) =>
      el("li", {}, `${topicName(a.topic_id)} → ${nameOf(a.member)}`)));
    $("proposal-accept").hidden = !can("proposal.accept");
  }
}

function renderIntro() {
  $("intro-text").textContent = view.intro_text;
  $("intro-who").textContent = t.introWho;
  $("blocks-begin").hidden = !can("blocks.begin");
}

function renderBlocks() {
  const current = view.current;
  if (!current) return;
  const owner = current.owner === view.me;
  $("speaker").textContent = fmt("asks", { name: nameOf(current.owner) });
  $("block-topic").textContent = current.topic;
  $("paused-label").hidden = !view.paused;
  const question = current.question;
  $("no-question").hidden = Boolean(question);
  $("q-counter").textContent = question ? fmt("questionOf", { n: question.n, m: question.m }) : "";
  renderMarkdown($("q-text"), question ? question.text : "");
  renderMarkdown($("q-answer"), question ? question.answer : "");
  $("q-answer").hidden = !question || !question.answer;
  const questionKey = question ? `${current.index}:${question.key}` : `${current.index}:none`;
  if (questionKey !== renderedQuestion) {
    // A new question: a fresh score form. Otherwise leave what the owner is typing alone.
    const lostFocus = !document.activeElement || document.activeElement === document.body
      || Boolean(document.activeElement.closest("#score-form"));
    renderedQuestion = questionKey;
    $("score").value = "0";
    $("note").value = "";
    // The owner scored by the button or a shortcut: the next question's score field is next.
    if (rendered && owner && question && (lostFocus || focusScore) && wasMyTurn) {
      $("score").focus({ preventScroll: true });
    }
    focusScore = false;
  }
  if (question) {
    $("score").max = String(question.max_points);
    $("score-max").textContent = fmt("maxPoints", { n: question.max_points });
  }
  $("score-form").hidden = !owner;
  $("next").disabled = !can("question.next");
  $("skip").disabled = !can("question.skip");
  $("yield").disabled = !can("block.yield");
  $("add-question").hidden = !can("question.add");
  $("lead-controls").hidden = !view.is_lead;
  $("pause").hidden = !can("session.pause");
  $("resume").hidden = !can("session.resume");
  $("extend").hidden = !can("block.extend");
  $("lead-yield").hidden = owner || !can("block.yield");
  $("block-list").replaceChildren(...view.blocks.map((block) => {
    const item = el("li", { class: block.status, "data-block": String(block.index) }, blockLine(block));
    if (block.status === "current") item.setAttribute("aria-current", "step");
    return item;
  }));
}

function blockLine(block) {
  // The planned length plus any extension the lead gave, so the list shows the real length.
  const extended = block.extended_seconds || 0;
  const length = duration(block.seconds + extended);
  const note = extended > 0 ? `, ${t.extended} +${mmss(extended)}` : "";
  return `${block.topic} — ${nameOf(block.owner)} (${length}${note})`;
}

function renderFinished() {
  const owed = view.feedback_due;
  $("owed-none").hidden = owed.length > 0;
  $("owed-some").hidden = owed.length === 0;
  $("owed").textContent = owed.map((id) => nameOf(id) + (id === view.me ? ` (${t.you})` : "")).join(", ");
}

function renderFeedback() {
  const mine = view.my_feedback;
  const open = view.feedback_open;
  $("feedback").hidden = !open && !mine;
  if (mine) {
    $("feedback-form").hidden = true;
    $("feedback-done").hidden = false;
    $("feedback-saved").textContent = mine.summary;
    $("feedback-time").textContent = mine.submitted_at ? fmt("submittedAt", { time: clockTime(mine.submitted_at) }) : "";
    return;
  }
  $("feedback-form").hidden = false;
  $("feedback-done").hidden = true;
  const keys = view.my_questions.map((q) => q.key).join("|");
  if (!open || keys === renderedFeedbackKeys) return; // keep what is being typed
  renderedFeedbackKeys = keys;
  $("feedback-items").replaceChildren(...view.my_questions.map((q) => {
    const outcome = q.skipped ? t.skipped : fmt("scored", { score: q.score, max: q.max_points });
    return el("div", { class: "card", "data-question": q.key },
      el("div", { class: "muted" }, `${q.topic} · ${outcome}${q.adhoc ? ` · ${t.adhoc}` : ""}`),
      markdownNode("div", "question-text md", q.text),
      q.note ? el("div", { class: "muted" }, q.note) : "",
      el("label", {}, t.feedbackOn, el("textarea", { "data-key": q.key, maxLength: 2000 })));
  }));
}

function markdownNode(tag, className, text) {
  const node = el(tag, { class: className });
  renderMarkdown(node, text);
  return node;
}

// --- the clock: drawn locally from the server's deadline, no per-second messages ----------

function tick() {
  if (!view || view.phase !== "blocks" || !view.current) return;
  const current = view.current;
  const remaining = view.paused ? current.remaining : current.deadline - serverNow();
  $("countdown").textContent = mmss(remaining);
  const low = remaining <= 60 && !view.paused;
  $("countdown").classList.toggle("low", low);
  $("low-time").hidden = !low; // in words too, not by colour alone
  announceLastMinute(current, remaining);
  const next = view.next;
  $("next-line").textContent = next
    ? fmt("nextLine", {
      name: nameOf(next.owner), topic: next.topic,
      time: mmss(view.paused ? current.remaining : next.starts_at - serverNow()),
    })
    : t.last;
}
setInterval(tick, 250);

// --- connection status --------------------------------------------------------------------

function showStatus(status) {
  const banner = $("banner");
  banner.classList.toggle("error", status.fatal === true);
  if (status.connected) { banner.hidden = true; return; }
  banner.hidden = false;
  if (status.closeCode === 4401) banner.textContent = t.closedLogin;
  else if (status.closeCode === 4403) banner.textContent = t.closedMember;
  else if (status.closeCode === 4404) banner.textContent = t.closedGone;
  else if (status.closeCode === 4410) banner.textContent = t.closedSignedOut;
  else if (status.closeCode === 4429) banner.textContent = t.closedTooMany;
  else if (status.retryIn) banner.textContent = fmt("reconnectIn", { n: Math.ceil(status.retryIn) });
  else banner.textContent = t.reconnecting;
}

function showNotice(message) { $("notice").textContent = message; $("notice").hidden = false; }
function hideNotice() { $("notice").hidden = true; }
