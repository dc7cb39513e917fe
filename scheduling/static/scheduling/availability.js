// The availability week grid (FullCalendar 6, from frontend_static/vendor/): select a stretch
// with the mouse to add a free slot, drag or stretch a slot to move it, click it to delete it.
// Each posts to the same endpoint as the form beside the grid, with the CSRF token, asking for
// JSON; the answer brings the week's events and the slot list's new markup (rendered by the
// server), or a refusal — one that would take time from under an interview is asked about
// first and sent again confirmed. Every word shown comes from the page (the av-config JSON,
// translated on the server) or from the answers; this file holds no interface text of its own.
//
// The grid runs on wall-clock times: the server sends the week in the viewer's zone as times
// without an offset, the calendar keeps them as they are (timeZone "UTC" is only its way of not
// converting), and what is drawn goes back as a date and times of day, which the server reads
// in the viewer's zone — the same fields the form posts.
const config = JSON.parse(document.getElementById("av-config").textContent);
const t = config.strings;
const gridEl = document.getElementById("av-grid");
const listEl = document.getElementById("slot-list");
const statusEl = document.getElementById("av-status");
const csrf = document.querySelector("input[name=csrfmiddlewaretoken]")?.value || "";
const narrow = window.matchMedia("(max-width: 640px)");

function say(text, failed = false) {
  statusEl.classList.toggle("av-failed", failed);
  statusEl.textContent = text || "";
}

// A Date on the wall-clock grid → ["YYYY-MM-DD", "HH:MM"].
function wall(moment) {
  const iso = moment.toISOString();
  return [iso.slice(0, 10), iso.slice(11, 16)];
}

function rangeFields(start, end) {
  const [day, starts] = wall(start);
  const [endDay, ends] = wall(end);
  const fields = { date: day, starts, ends, week: config.week };
  if (endDay !== day) fields.end_date = endDay;
  return fields;
}

async function send(url, fields, confirmed = false) {
  const body = new URLSearchParams(fields);
  body.set("csrfmiddlewaretoken", csrf);
  if (confirmed) body.set("confirm", "1");
  let answer;
  try {
    const response = await fetch(url, {
      method: "POST",
      body,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrf },
    });
    answer = await response.json();
  } catch {
    return { ok: false, message: t.failed };
  }
  if (!answer.ok && answer.code === "holds_interview" && !confirmed) {
    if (window.confirm(answer.message)) return send(url, fields, true);
    return { ok: false, cancelled: true };
  }
  return answer;
}

function show(answer) {
  if (answer.ok) {
    calendar.getEventSources().forEach((source) => source.remove());
    calendar.addEventSource(answer.events);
    listEl.innerHTML = answer.list_html; // the server's own markup, escaped there
    say(answer.message);
  } else if (!answer.cancelled) {
    say(answer.message || t.failed, true);
  }
  return answer.ok;
}

function toolbar() {
  return narrow.matches ? { left: "prev,next", center: "title", right: "" } : false;
}

const calendar = new FullCalendar.Calendar(gridEl, {
  locale: config.locale,
  timeZone: "UTC",
  now: config.now,
  firstDay: 1,
  initialView: narrow.matches ? "timeGridDay" : "timeGridWeek",
  initialDate: config.day,
  validRange: { start: config.week, end: config.end },
  headerToolbar: toolbar(),
  dayHeaderFormat: { weekday: "short", day: "numeric" },
  allDaySlot: false,
  nowIndicator: true,
  contentHeight: narrow.matches ? 520 : 640,
  scrollTime: "08:00:00",
  slotDuration: "00:30:00",
  snapDuration: "00:15:00",
  slotLabelFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
  eventTimeFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
  selectable: true,
  selectMirror: true,
  editable: true,
  eventDurationEditable: true,
  events: config.events,
  select: async (info) => {
    calendar.unselect();
    show(await send(config.newUrl, rangeFields(info.start, info.end)));
  },
  eventDrop: (info) => moved(info),
  eventResize: (info) => moved(info),
  eventClick: async (info) => {
    const props = info.event.extendedProps;
    if (props.kind !== "slot") return; // an interview is a link to its round
    info.jsEvent.preventDefault();
    if (!window.confirm(t.deleteAsk)) return;
    show(await send(props.delete, { week: config.week }));
  },
  eventDidMount: (info) => {
    if (info.event.extendedProps.kind === "slot") info.el.dataset.slot = info.event.id.slice(5);
  },
});

async function moved(info) {
  const props = info.event.extendedProps;
  if (props.kind !== "slot") {
    info.revert();
    return;
  }
  if (!show(await send(props.edit, rangeFields(info.event.start, info.event.end)))) info.revert();
}

narrow.addEventListener("change", () => {
  calendar.setOption("headerToolbar", toolbar());
  calendar.changeView(narrow.matches ? "timeGridDay" : "timeGridWeek");
});

calendar.render();
gridEl.dataset.ready = "true";
