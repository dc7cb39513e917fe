// The live page: one WebSocket, full snapshots from the server, countdowns drawn locally.
// The server decides everything; this file only renders the member's view and sends commands.
import { LiveSocket } from "./socket.js";
import markdownit from "../vendor/markdown-it.esm.min.mjs";

const config = JSON.parse(document.getElementById("live-config").textContent);
const t = { ...config.i18n, ...document.getElementById("live-strings").dataset };
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
const $ = (id) => document.getElementById(id);

let view = null;          // the latest snapshot for this member
let clockOffset = 0;      // server time minus local time, in seconds
let renderedQuestion = null;
let renderedFeedbackKeys = null;

const socket = new LiveSocket(config.wsPath, {
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
  if (mine && !wasMyTurn && $("turn-sound").checked) beep();
  wasMyTurn = mine;
}

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

function render() {
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
  tick();
}

function renderMembers() {
  const list = $("member-list");
  list.replaceChildren(...view.members.map((m) => el("span", {
    class: `pill ${m.online ? "online" : "offline"}`,
    "data-member": String(m.id),
    title: m.online ? t.online : t.offline,
  }, m.name + (m.is_lead ? ` (${t.lead})` : "") + (m.id === view.me ? ` — ${t.you}` : ""))));
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
      el("label", { htmlFor: `claim-${topic.id}` }, el("strong", {}, topic.name), ` · ${mmss(topic.seconds)}`),
      el("span", { class: "muted" }, `${t.claimedBy}: ${who}`));
  }));
  $("conflicts").hidden = view.conflicts.length === 0;
  $("conflict-list").replaceChildren(...view.conflicts.map((c) =>
    el("li", { "data-conflict": c.topic }, `${c.members.map(nameOf).join(", ")} ${t.conflictOn} ${c.topic}`)));
  const unclaimed = view.topics.filter((topic) => topic.claimants.length === 0).map((topic) => topic.name);
  $("unclaimed").hidden = unclaimed.length === 0;
  $("unclaimed").textContent = `${t.unclaimed} ${unclaimed.join(", ")}`;
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
  $("speaker").textContent = `${nameOf(current.owner)} ${t.asks}`;
  $("block-topic").textContent = current.topic;
  $("paused-label").hidden = !view.paused;
  const question = current.question;
  $("no-question").hidden = Boolean(question);
  $("q-counter").textContent = question ? `${t.question} ${question.n} ${t.of} ${question.m}` : "";
  renderMarkdown($("q-text"), question ? question.text : "");
  renderMarkdown($("q-answer"), question ? question.answer : "");
  $("q-answer").hidden = !question || !question.answer;
  const questionKey = question ? `${current.index}:${question.key}` : `${current.index}:none`;
  if (questionKey !== renderedQuestion) {
    // A new question: a fresh score form. Otherwise leave what the owner is typing alone.
    renderedQuestion = questionKey;
    $("score").value = "0";
    $("note").value = "";
  }
  if (question) {
    $("score").max = String(question.max_points);
    $("score-max").textContent = `/ ${question.max_points} ${t.maxPoints}`;
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
  $("block-list").replaceChildren(...view.blocks.map((block) =>
    el("li", { class: block.status, "data-block": String(block.index) }, blockLine(block))));
}

function blockLine(block) {
  // The planned length plus any extension the lead gave, so the list shows the real length.
  const extended = block.extended_seconds || 0;
  const length = mmss(block.seconds + extended);
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
    return;
  }
  $("feedback-form").hidden = false;
  $("feedback-done").hidden = true;
  const keys = view.my_questions.map((q) => q.key).join("|");
  if (!open || keys === renderedFeedbackKeys) return; // keep what is being typed
  renderedFeedbackKeys = keys;
  $("feedback-items").replaceChildren(...view.my_questions.map((q) => {
    const outcome = q.skipped ? t.skipped : `${t.scored} ${q.score}/${q.max_points}`;
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
  $("countdown").classList.toggle("low", remaining <= 30);
  const next = view.next;
  $("next-line").textContent = next
    ? `${t.next} ${nameOf(next.owner)} — ${next.topic} ${t.in} ${mmss(view.paused ? current.remaining : next.starts_at - serverNow())}`
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
  else if (status.retryIn) banner.textContent = t.reconnectIn.replace("%s", Math.ceil(status.retryIn));
  else banner.textContent = t.reconnecting;
}

function showNotice(message) { $("notice").textContent = message; $("notice").hidden = false; }
function hideNotice() { $("notice").hidden = true; }
