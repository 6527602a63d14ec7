/* The review page: "j" or "n" opens the next report waiting for review (the page's
 * data-next-url), unless the reviewer is typing. The "Next report" link does the same without JS.
 * The comment thread arrives after the page (htmx): an address like #comment-12 is scrolled to
 * once it is there. */
(function () {
  "use strict";

  var scrolled = false;
  document.body.addEventListener("htmx:afterSettle", function () {
    var wanted = window.location.hash && document.getElementById(window.location.hash.slice(1));
    if (wanted && !scrolled) {
      scrolled = true;
      wanted.scrollIntoView();
    }
  });

  var holder = document.querySelector("[data-next-url]");
  if (!holder) {
    return;
  }
  var nextUrl = holder.dataset.nextUrl;

  function isTyping(target) {
    if (!target) {
      return false;
    }
    var tag = (target.tagName || "").toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey || event.repeat) {
      return;
    }
    if (isTyping(event.target)) {
      return;
    }
    if (event.key === "j" || event.key === "n") {
      event.preventDefault();
      window.location.assign(nextUrl);
    }
  });
})();
