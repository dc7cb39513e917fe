// The review page: a video that cannot be played says so beside it, instead of leaving the
// reviewer with a silent black box.
for (const video of document.querySelectorAll("video.answer-video")) {
  const warning = video.parentElement.querySelector(".video-error");
  const fail = () => { if (warning) warning.hidden = false; };
  video.addEventListener("error", fail);
  if (video.error) fail(); // it failed before this module ran
}
