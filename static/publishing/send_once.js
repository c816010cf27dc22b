// Forms marked data-send-once send themselves once: the buttons are
// disabled as the form goes, so a double click makes one request. This is
// a courtesy only; the server recognises a page sent twice by its token.
(function () {
  "use strict";

  function keepSubmitter(form, submitter) {
    // A disabled button is left out of the form data, and the server reads
    // which one was pressed ("save" or "submit"), so it rides along hidden.
    if (!submitter || !submitter.name) {
      return;
    }
    var carried = document.createElement("input");
    carried.type = "hidden";
    carried.name = submitter.name;
    carried.value = submitter.value;
    carried.setAttribute("data-carried-submitter", "");
    form.appendChild(carried);
  }

  function buttons(form) {
    return form.querySelectorAll("button[type=submit], input[type=submit]");
  }

  document.querySelectorAll("form[data-send-once]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sending) {
        event.preventDefault();
        return;
      }
      form.dataset.sending = "true";
      keepSubmitter(form, event.submitter);
      buttons(form).forEach(function (button) {
        button.disabled = true;
        button.setAttribute("aria-busy", "true");
      });
    });
  });

  // Back brings the page out of the browser's cache as it was left, with
  // its buttons disabled; give them back so the page can be used again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-send-once]").forEach(function (form) {
      delete form.dataset.sending;
      form.querySelectorAll("[data-carried-submitter]").forEach(function (input) {
        input.remove();
      });
      buttons(form).forEach(function (button) {
        button.disabled = false;
        button.removeAttribute("aria-busy");
      });
    });
  });
})();
