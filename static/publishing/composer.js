// Live weighted character count for the X text, by the same twitter-text
// v3 rules the server applies (twttr.txt.parseTweet, vendored).
(function () {
  "use strict";

  var textarea = document.querySelector("textarea[data-tweet-counter]");
  var counter = document.getElementById("tweet-counter");
  if (!textarea || !counter || !window.twttr || !window.twttr.txt) {
    return;
  }
  var max = parseInt(counter.dataset.max, 10);
  var count = counter.querySelector("[data-count]");
  // Characters the server refuses: what X rejects, and the invisible
  // direction controls that reorder how a post reads. The server's message
  // names each one; this only warns while typing.
  var hidden = /[\u202A-\u202E\u2066-\u2069\uFEFF\uFFFE\uFFFF]/;
  // Control characters (C0, DEL and C1) except the line break.
  var controls = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F]/;
  // Characters that show nothing; a text made only of them looks empty.
  var onlyInvisible =
    /^[\s\u00AD\u034F\u115F\u1160\u17B4\u17B5\u180E\u200B-\u200F\u2028-\u202F\u205F-\u2064\u2800\u3164\uFEFF\uFFA0]+$/;
  var hiddenWarning = document.getElementById("hidden-chars");

  function update() {
    var parsed = window.twttr.txt.parseTweet(textarea.value);
    count.textContent = parsed.weightedLength;
    var over = parsed.weightedLength > max;
    var text = textarea.value.replace(/\r\n?/g, "\n");
    var hasHidden =
      hidden.test(text) ||
      controls.test(text) ||
      (onlyInvisible.test(text) && text.trim() !== "");
    if (hiddenWarning) {
      hiddenWarning.hidden = !hasHidden;
    }
    counter.classList.toggle(
      "counter-over",
      over || hasHidden || (!parsed.valid && textarea.value !== "")
    );
    if (over || hasHidden) {
      textarea.setAttribute("aria-invalid", "true");
    } else {
      textarea.removeAttribute("aria-invalid");
    }
  }

  textarea.addEventListener("input", update);
  update();
})();
