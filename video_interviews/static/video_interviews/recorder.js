// The candidate's recorder (docs/protocol.md, "Recording an answer"). Per question: the
// question is shown when its thinking time starts, recording starts when it ends (or when
// the candidate presses "Start recording now"), stops at the answer's limit or when pressed.
// MediaRecorder makes MP4 where the browser can, WebM otherwise.
//
// Nothing recorded is lost:
//  * each second of recording is written to IndexedDB before it is sent;
//  * it is sent while recording, by tus (tus-js-client), in chunks of `chunk_bytes`: after a
//    dropped connection the client asks the server how much it has (HEAD) and sends the rest,
//    for as long as the page is open;
//  * after a reload, a take left unfinished is sent from IndexedDB; with no copy there, the
//    server closes it at what arrived (".../stop/"), and that take gives its retake back.
// The server decides everything else (order, retakes, limits). No interface text lives here:
// it comes in the page's JSON (`i18n`).
const config = JSON.parse(document.getElementById("recording-config").textContent);
const t = config.i18n;
const csrf = document.querySelector("input[name=csrfmiddlewaretoken]")?.value || "";
const $ = (id) => document.getElementById(id);
const MIME_TYPES = [
  "video/mp4;codecs=avc1.42E01E,mp4a.40.2",
  "video/mp4",
  "video/webm;codecs=vp9,opus",
  "video/webm;codecs=vp8,opus",
  "video/webm",
];
const SLICE_MS = 1000; // MediaRecorder hands over a piece of the recording every second
const RETRY_MS = 3000; // after the client's own retries give up, start again this often

let state = null;
let stream = null;

function format(text, values) {
  return text.replace(/%\((\w+)\)s/g, (_, key) => String(values[key])).replace("%%", "%");
}

function show(...ids) {
  for (const id of ["device-check", "question-intro", "take-panel", "take-review", "recorder-done"]) {
    $(id).hidden = !ids.includes(id);
  }
}

function status(text, isError = false) {
  const line = $("recorder-status");
  line.textContent = text;
  line.classList.toggle("error", isError);
}

function clock(seconds) {
  const s = Math.max(0, Math.ceil(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

// --- the server -----------------------------------------------------------------------------

async function call(url, body) {
  const response = await fetch(url, {
    method: body === undefined ? "GET" : "POST",
    headers: { Accept: "application/json", "Content-Type": "application/json", "X-CSRFToken": csrf },
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw Object.assign(new Error(data.message || response.statusText), { data, status: response.status });
  state = data;
  drawProgress();
  return data;
}

const takeUrl = (take, what) => config.take_url.replace("TAKE", take.id) + what + "/";

function drawProgress() {
  for (const item of document.querySelectorAll("#answer-progress li")) {
    const question = state.questions[Number(item.dataset.order)];
    item.dataset.state = question.kept ? "kept" : question.answer;
    if (state.current === question.order) item.setAttribute("aria-current", "step");
    else item.removeAttribute("aria-current");
  }
}

// --- this device's copy (IndexedDB) -----------------------------------------------------------

let dbPromise = null;
function db() {
  dbPromise ??= new Promise((resolve) => {
    if (!window.indexedDB) return resolve(null);
    const request = indexedDB.open("roundtable-recordings", 1);
    request.onupgradeneeded = () => {
      request.result.createObjectStore("takes");
      request.result.createObjectStore("chunks");
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => resolve(null); // private windows: the copy in memory only
  });
  return dbPromise;
}

async function store(name, mode, work) {
  const database = await db();
  if (!database) return null;
  return new Promise((resolve) => {
    const transaction = database.transaction(name, mode);
    const request = work(transaction.objectStore(name));
    transaction.oncomplete = () => resolve(request?.result ?? null);
    transaction.onerror = transaction.onabort = () => resolve(null);
  });
}

const saveMeta = (id, meta) => store("takes", "readwrite", (s) => s.put(meta, id));
const loadMeta = (id) => store("takes", "readonly", (s) => s.get(id));
const saveChunk = (id, seq, blob) => store("chunks", "readwrite", (s) => s.put(blob, `${id}:${String(seq).padStart(6, "0")}`));
const loadChunks = (id) => store("chunks", "readonly", (s) => s.getAll(IDBKeyRange.bound(`${id}:`, `${id}:~`)));
async function forget(id) {
  await store("chunks", "readwrite", (s) => s.delete(IDBKeyRange.bound(`${id}:`, `${id}:~`)));
  await store("takes", "readwrite", (s) => s.delete(id));
}

// --- a growing recording as tus-js-client's file source ----------------------------------------

class TakeSource {
  constructor(type) {
    this.parts = [];
    this.size = null; // unknown until the recording stops: the length is told last
    this.have = 0;
    this.finished = false;
    this.type = type;
    this.waiting = [];
  }
  push(blob) {
    this.parts.push(blob);
    this.have += blob.size;
    this.wake();
  }
  finish() {
    this.finished = true;
    this.wake();
  }
  wake() {
    for (const resume of this.waiting.splice(0)) resume();
  }
  async slice(start, end) {
    while (!this.finished && this.have < end) await new Promise((resume) => this.waiting.push(resume));
    const stop = Math.min(end, this.have);
    const value = new Blob(this.parts, { type: this.type }).slice(start, stop);
    return { value, done: this.finished && stop === this.have };
  }
  blob() {
    return new Blob(this.parts, { type: this.type });
  }
  close() {}
}

// Send `source` to the take's tus address until all of it is there; never gives up while the
// page is open on a lost connection, stops on a refusal (4xx other than 409/423).
function send(take, source, onProgress) {
  return new Promise((resolve, reject) => {
    let offline = false;
    const upload = new tus.Upload(source, {
      uploadUrl: take.upload_url,
      uploadLengthDeferred: true,
      chunkSize: state.chunk_bytes,
      fileReader: { openFile: () => Promise.resolve(source) },
      retryDelays: [0, 1000, 2000, 4000],
      headers: { "X-CSRFToken": csrf },
      storeFingerprintForResuming: false,
      onShouldRetry: (error) => retriable(error),
      onProgress: (sent) => {
        if (offline) {
          offline = false;
          status(t.resuming);
        }
        onProgress(sent, source);
      },
      onSuccess: () => resolve(),
      onError: (error) => {
        if (!retriable(error)) return reject(error);
        offline = true;
        status(t.offline, true);
        setTimeout(() => upload.start(), RETRY_MS);
      },
    });
    upload.start();
  });
}

function retriable(error) {
  const code = error.originalResponse?.getStatus?.() || 0;
  return code === 0 || code === 409 || code === 423 || code >= 500;
}

function progressLine(sent, source) {
  if (!source.finished) return;
  const percent = source.have ? Math.min(100, Math.floor((100 * sent) / source.have)) : 100;
  $("upload-progress").textContent = format(t.saving, { percent });
}

// --- camera and microphone ------------------------------------------------------------------

function mimeType() {
  return MIME_TYPES.find((type) => MediaRecorder.isTypeSupported(type)) || "";
}

async function checkDevices() {
  show("device-check");
  $("device-error").hidden = true;
  if (!window.MediaRecorder || !navigator.mediaDevices?.getUserMedia) {
    $("device-error").textContent = t.no_recorder;
    $("device-error").hidden = false;
    return false;
  }
  try {
    stream ??= await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: true });
  } catch {
    $("device-error").textContent = t.no_camera;
    $("device-error").hidden = false;
    $("check-devices").focus();
    return false;
  }
  $("camera-preview").srcObject = stream;
  listen(stream);
  status(t.camera_ok);
  return true;
}

function listen(media) {
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!Context) return;
  const audio = new Context();
  const analyser = audio.createAnalyser();
  audio.createMediaStreamSource(media).connect(analyser);
  const samples = new Uint8Array(analyser.fftSize);
  const draw = () => {
    analyser.getByteTimeDomainData(samples);
    let peak = 0;
    for (const sample of samples) peak = Math.max(peak, Math.abs(sample - 128) / 128);
    $("mic-level").value = peak;
    requestAnimationFrame(draw);
  };
  draw();
}

// --- one question ----------------------------------------------------------------------------

function introduce() {
  if (state.current === null) return finished();
  const question = state.questions[state.current];
  show("device-check", "question-intro");
  $("intro-title").textContent = format(t.question_of, { n: question.position, total: state.questions.length });
  $("intro-limits").textContent = [
    format(t.thinking, { time: clock(question.thinking_seconds) }),
    format(t.recording, { time: clock(question.answer_seconds) }),
    format(t.takes_left, { n: Math.max(0, question.takes_left - 1) }),
  ].join(" · ");
  $("begin-take").focus();
}

function finished() {
  show("recorder-done");
  status(t.done);
  stream?.getTracks().forEach((track) => track.stop());
}

// Count down `seconds`, or until `skip` resolves; reads out every ten seconds and the last five.
function countdown(seconds, template, skip) {
  return new Promise((resolve) => {
    const ends = performance.now() + seconds * 1000;
    let spoken = null;
    const tick = () => {
      const left = (ends - performance.now()) / 1000;
      $("countdown").textContent = format(template, { time: clock(left) });
      const whole = Math.ceil(left);
      if (whole !== spoken && (whole % 10 === 0 || whole <= 5)) {
        spoken = whole;
        $("countdown-sr").textContent = $("countdown").textContent;
      }
      if (left <= 0) return resolve();
      timer = setTimeout(tick, 200);
    };
    let timer = null;
    skip.then(() => {
      clearTimeout(timer);
      resolve();
    });
    tick();
  });
}

function pressed(id) {
  return new Promise((resolve) => $(id).addEventListener("click", resolve, { once: true }));
}

async function beginTake() {
  $("begin-take").disabled = true;
  try {
    await call(config.takes_url, { question: state.current });
  } catch (error) {
    status(format(t.refused, { message: error.message }), true);
    return;
  } finally {
    $("begin-take").disabled = false;
  }
  const take = state.take;
  const question = state.questions[take.question];
  show("take-panel");
  $("take-title").textContent = format(t.question_of, { n: question.position, total: state.questions.length });
  $("question-text").textContent = question.text;
  $("take-camera").srcObject = stream;
  $("record-now").hidden = false;
  $("record-now").focus();
  $("countdown").classList.remove("recording");
  if (question.thinking_seconds > 0) await countdown(question.thinking_seconds, t.thinking, pressed("record-now"));
  $("record-now").hidden = true;
  await record(take, question);
}

async function record(take, question) {
  const type = mimeType();
  const recorder = new MediaRecorder(stream, { mimeType: type, videoBitsPerSecond: 1_000_000, audioBitsPerSecond: 64_000 });
  const source = new TakeSource(recorder.mimeType || type);
  let seq = 0;
  let saved = Promise.resolve();
  await saveMeta(take.id, { invitation: config.invitation, type: source.type, finished: false, ms: 0 });
  recorder.ondataavailable = (event) => {
    if (!event.data.size) return;
    const n = seq++;
    saved = saved.then(() => saveChunk(take.id, n, event.data));
    source.push(event.data);
  };
  const began = performance.now();
  const stopped = new Promise((resolve) => (recorder.onstop = resolve));
  recorder.start(SLICE_MS);
  const sending = send(take, source, progressLine);
  $("stop-recording").hidden = false;
  $("stop-recording").focus();
  $("countdown").classList.add("recording");
  await countdown(question.answer_seconds, t.recording, pressed("stop-recording"));
  recorder.stop();
  await stopped;
  const ms = Math.round(performance.now() - began);
  source.finish();
  await saved;
  await saveMeta(take.id, { invitation: config.invitation, type: source.type, finished: true, ms });
  $("stop-recording").hidden = true;
  $("countdown").classList.remove("recording");
  await review(take, source, ms, sending, false);
}

// The recording just made (or found unfinished after a reload), sent in full, then kept or
// recorded again.
async function review(take, source, ms, sending, cutShort) {
  show("take-review");
  const question = state.questions[take.question];
  // The server counts this take already (an interrupted one it does not count at all).
  const left = question.takes_left;
  $("review-note").textContent = cutShort ? t.cut_short : format(t.takes_left, { n: Math.max(0, left) });
  $("retake").hidden = left <= 0;
  const playback = $("take-playback");
  if (source) {
    playback.src = URL.createObjectURL(source.blob());
    playback.hidden = false;
  } else {
    playback.hidden = true;
  }
  $("keep-take").disabled = true;
  try {
    await sending;
  } catch (error) {
    status(format(t.refused, { message: await refusal(error) }), true);
    return;
  }
  $("upload-progress").textContent = t.saved;
  status(t.saved);
  $("keep-take").disabled = false;
  $("keep-take").focus();
  const choice = await Promise.race([pressed("keep-take").then(() => "keep"), pressed("retake").then(() => "retake")]);
  if (playback.src) URL.revokeObjectURL(playback.src);
  playback.removeAttribute("src");
  if (choice === "keep") {
    try {
      await call(takeUrl(take, "keep"), { recorded_ms: ms });
    } catch (error) {
      status(format(t.refused, { message: error.message }), true);
      return;
    }
    await forget(take.id);
  } else {
    await forget(take.id);
    await call(config.state_url);
  }
  introduce();
}

async function refusal(error) {
  try {
    return JSON.parse(error.originalResponse.getBody()).message;
  } catch {
    return error.message;
  }
}

// A take the server still has open after a reload: send the rest from this device's copy, or
// have the server close it at what arrived.
async function resumeOpenTake(take) {
  const meta = await loadMeta(take.id);
  if (take.status === "uploaded" && !take.interrupted) {
    const chunks = meta ? await loadChunks(take.id) : null;
    const source = chunks?.length ? new TakeSource(meta.type) : null;
    chunks?.forEach((blob) => source.push(blob));
    source?.finish();
    return review(take, source, meta?.ms ?? null, Promise.resolve(), false);
  }
  if (take.status === "uploaded") return review(take, null, null, Promise.resolve(), true);
  const chunks = meta ? await loadChunks(take.id) : [];
  if (chunks.length) {
    status(t.resuming);
    const source = new TakeSource(meta.type);
    chunks.forEach((blob) => source.push(blob));
    source.finish();
    show("take-review");
    await send(take, source, progressLine);
    await call(takeUrl(take, "stop"), { recorded_ms: meta.ms || null });
    return review(state.take || take, source, meta.ms || null, Promise.resolve(), true);
  }
  await call(takeUrl(take, "stop"), {});
  if (state.take) return review(state.take, null, null, Promise.resolve(), true);
  introduce();
}

async function start() {
  try {
    await call(config.state_url);
  } catch (error) {
    status(format(t.refused, { message: error.message }), true);
    return;
  }
  $("check-devices").addEventListener("click", async () => {
    if (await checkDevices()) introduce();
  });
  $("begin-take").addEventListener("click", beginTake);
  if (state.current === null) return finished();
  if (!(await checkDevices())) return;
  if (state.take) return resumeOpenTake(state.take);
  introduce();
}

start();
