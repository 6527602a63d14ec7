/* The sales log: after an entry is saved (htmx swaps in a fresh form), the cursor goes back to
 * the customer field, or to the first field with an error, so the next entry is typed at once;
 * removals ask first. The page works without this file. */
(function () {
  "use strict";

  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (!event.detail.target || event.detail.target.id !== "entry") {
      return;
    }
    var entry = document.getElementById("entry");
    var field = entry && (entry.querySelector(".is-invalid, [aria-invalid='true']") || entry.querySelector("[name='customer']"));
    if (field) {
      field.focus();
    }
  });

  // A removal is a button of the page's one removal form (#activity-remove): the question is on
  // the button that submitted it.
  document.addEventListener("submit", function (event) {
    var source = event.submitter || event.target;
    var message = source.dataset ? source.dataset.confirm : "";
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });
})();
