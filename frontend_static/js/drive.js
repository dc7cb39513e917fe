// Drive pages: check the chosen files before they are sent (the server checks them again),
// and follow the import's progress. Without script the forms post as usual and the import's
// request returns when it is done.
const me = document.currentScript || document.querySelector('script[src$="js/drive.js"]');
const data = me.dataset;
const limits = {
  perUpload: Number(data.resumesPerUpload || 0),
  resume: Number(data.resumeMax || 0),
  sheet: Number(data.sheetMax || 0),
  upload: Number(data.uploadMax || 0),
};

function refusal(form) {
  const sheet = form.querySelector('input[name="sheet"]');
  const resumes = form.querySelector('input[name="resumes"]');
  const files = resumes ? Array.from(resumes.files) : [];
  if (sheet && sheet.files.length && limits.sheet && sheet.files[0].size > limits.sheet) {
    return [sheet, data.sheetTooLarge];
  }
  if (limits.perUpload && files.length > limits.perUpload) return [resumes, data.tooMany];
  const big = files.filter((file) => limits.resume && file.size > limits.resume);
  if (big.length) return [resumes, `${data.resumeTooLarge} ${big.map((f) => f.name).join(", ")}`];
  let total = files.reduce((sum, file) => sum + file.size, 0);
  if (sheet && sheet.files.length) total += sheet.files[0].size;
  if (limits.upload && total > limits.upload) return [resumes || sheet, data.uploadTooLarge];
  return null;
}

document.querySelectorAll("form[data-drive-upload]").forEach((form) => {
  const message = form.querySelector("[data-drive-client-error]");
  form.addEventListener("submit", (event) => {
    const found = refusal(form);
    if (found) {
      event.preventDefault();
      const [input, text] = found;
      message.textContent = text;
      message.hidden = false;
      message.id = message.id || `${form.id}-client-error`;
      input.setAttribute("aria-invalid", "true");
      input.focus();
      return;
    }
    message.hidden = true;
    form.querySelectorAll("button").forEach((button) => { button.disabled = true; });
    const button = form.querySelector("button[type=submit]");
    if (button && data.uploading) button.textContent = data.uploading;
  });
});

const box = document.getElementById("drive-progress-box");
const bar = document.getElementById("drive-progress");
const doneLabel = document.getElementById("drive-done");
const totalLabel = document.getElementById("drive-total");

function show(progress) {
  if (!bar) return;
  if (progress.total) {
    bar.max = progress.total;
    totalLabel.textContent = String(progress.total);
  }
  bar.value = progress.done;
  doneLabel.textContent = String(progress.done);
}

let following = false;
function follow(onEnd) {
  following = true;
  const tick = () => {
    if (!following) return;
    fetch(data.progressUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((response) => response.json())
      .then((progress) => {
        show(progress);
        if (progress.status === "running") window.setTimeout(tick, 400);
        else if (onEnd) onEnd(progress);
      })
      .catch(() => window.setTimeout(tick, 1500));
  };
  tick();
}

const importForm = document.getElementById("drive-import");
if (importForm && box) {
  importForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const button = importForm.querySelector("button[type=submit]");
    button.disabled = true;
    box.hidden = false;
    box.setAttribute("aria-live", "polite");
    // The import runs in this request; the progress comes from another one meanwhile.
    window.setTimeout(() => follow(null), 300);
    fetch(importForm.action, {
      method: "POST",
      body: new FormData(importForm),
      credentials: "same-origin",
      headers: { "X-Requested-With": "XMLHttpRequest" },
    })
      .then((response) => {
        following = false;
        window.location.assign(response.url || window.location.href);
      })
      .catch(() => {
        following = false;
        window.alert(data.failed);
        window.location.reload();
      });
  });
}

if (data.status === "running" && bar) {
  follow(() => window.location.reload());
}
