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

  function update() {
    var parsed = window.twttr.txt.parseTweet(textarea.value);
    count.textContent = parsed.weightedLength;
    var over = parsed.weightedLength > max;
    counter.classList.toggle("counter-over", over || (!parsed.valid && textarea.value !== ""));
    if (over) {
      textarea.setAttribute("aria-invalid", "true");
    } else {
      textarea.removeAttribute("aria-invalid");
    }
  }

  textarea.addEventListener("input", update);
  update();
})();
