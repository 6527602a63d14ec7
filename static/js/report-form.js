/* The weekly report form: live achievement rates, adding and removing problem and plan rows,
 * autosave bookkeeping around htmx, and a warning before leaving with unsaved changes.
 * The page works without this file: rows are added by saving with the blank row filled in and
 * removed by clearing them, and the Save draft button stores everything. */
(function () {
  "use strict";

  var form = document.getElementById("report-form");
  if (!form) {
    return;
  }
  var texts = (document.getElementById("report-form-texts") || {}).dataset || {};

  // KPI numbers: plain while typed, with thousands separators once the field is left (145,000).
  // The server reads either; only the display changes.
  function plainNumber(text) {
    return text.replace(/[,，\s\u3000]/g, "");
  }
  function groupedNumber(text) {
    var plain = plainNumber(text);
    if (!/^\d+(\.\d*)?$/.test(plain)) {
      return text;  // not a number: leave it as typed, the server says what is wrong
    }
    var parts = plain.split(".");
    parts[0] = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return parts.join(".");
  }
  document.querySelectorAll("[data-kpi-actual]").forEach(function (input) {
    input.value = groupedNumber(input.value);
    input.addEventListener("focus", function () { input.value = plainNumber(input.value); });
    input.addEventListener("blur", function () { input.value = groupedNumber(input.value); });
  });

  // Achievement rate per KPI row: actual / target as a whole percentage, "—" without a target.
  function updateRate(row) {
    var input = row.querySelector("[data-kpi-actual]");
    var output = row.querySelector("[data-kpi-rate]");
    var target = parseFloat(row.dataset.target);
    var actual = input && input.value !== "" ? parseFloat(plainNumber(input.value)) : NaN;
    if (!output) {
      return;
    }
    output.textContent = !target || isNaN(actual) ? "—" : Math.round((actual / target) * 100) + "%";
  }

  document.querySelectorAll("[data-kpi-row]").forEach(function (row) {
    row.addEventListener("input", function () { updateRate(row); });
    updateRate(row);
  });

  // Repeatable rows (Django formsets): indices must stay 0..TOTAL_FORMS-1 without gaps.
  function renumber(container, prefix) {
    var rows = container.querySelectorAll("[data-rows] > [data-form-row]");
    var pattern = new RegExp(prefix + "-(\\d+|__prefix__)-", "g");
    rows.forEach(function (row, index) {
      row.querySelectorAll("[name], [id], [for], [aria-describedby]").forEach(function (el) {
        ["name", "id", "for", "aria-describedby"].forEach(function (attr) {
          var value = el.getAttribute(attr);
          if (value) {
            el.setAttribute(attr, value.replace(pattern, prefix + "-" + index + "-"));
          }
        });
      });
    });
    var total = container.querySelector('[name="' + prefix + '-TOTAL_FORMS"]');
    var initial = container.querySelector('[name="' + prefix + '-INITIAL_FORMS"]');
    total.value = rows.length;
    initial.value = Math.min(parseInt(initial.value, 10) || 0, rows.length);
  }

  document.querySelectorAll("[data-formset]").forEach(function (container) {
    var prefix = container.dataset.formset;
    var rows = container.querySelector("[data-rows]");
    var template = container.querySelector("template[data-empty-form]");
    var max = parseInt((container.querySelector('[name="' + prefix + '-MAX_NUM_FORMS"]') || {}).value, 10) || 50;
    var add = container.querySelector("[data-add-row]");

    container.querySelectorAll("[data-add-row], [data-remove-row]").forEach(function (button) {
      button.hidden = false;
    });
    add.addEventListener("click", function () {
      var count = rows.querySelectorAll(":scope > [data-form-row]").length;
      if (count >= max) {
        return;
      }
      var holder = document.createElement("div");
      holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(count));
      var row = holder.querySelector("[data-form-row]");
      row.querySelectorAll("[data-remove-row]").forEach(function (button) { button.hidden = false; });
      rows.appendChild(row);
      renumber(container, prefix);
      var first = row.querySelector("input, textarea, select");
      if (first) {
        first.focus();
      }
    });
    container.addEventListener("click", function (event) {
      var button = event.target.closest("[data-remove-row]");
      if (!button) {
        return;
      }
      button.closest("[data-form-row]").remove();
      renumber(container, prefix);
      // A removed row is a change like any other: let autosave store it.
      form.dispatchEvent(new Event("change", { bubbles: true }));
    });
  });

  // Autosave bookkeeping. htmx posts the whole form (hx-trigger on the <form>); this keeps
  // requests from being sent for nothing, stops them after a conflict, and makes a click on
  // "Submit" wait for a save in flight so both do not start from the same version.
  var state = { dirty: false, changes: 0, sent: 0, inFlight: false, stopped: false, leaving: false, resubmit: null };

  // Capturing on the document runs before htmx's own listener on the form, whatever order the
  // scripts load in, so a change is counted before htmx asks (htmx:confirm) whether to save.
  function markDirty(event) {
    var target = event.target;
    if (!(target === form || form.contains(target)) || target.name === "base_version") {
      return;
    }
    state.dirty = true;
    state.changes += 1;
  }
  document.addEventListener("input", markDirty, true);
  document.addEventListener("change", markDirty, true);

  function setStatus(message) {
    var status = document.getElementById("autosave-status");
    if (status && message) {
      status.dataset.state = "error";
      status.innerHTML = "";
      var span = document.createElement("span");
      span.className = "text-danger";
      span.textContent = message;
      status.appendChild(span);
    }
  }

  function syncInvalidMarks() {
    document.querySelectorAll('#report-form [id$="_errors"]').forEach(function (box) {
      var invalid = box.textContent.trim() !== "";
      form.querySelectorAll('[aria-describedby="' + box.id + '"]').forEach(function (input) {
        input.classList.toggle("is-invalid", invalid);
        if (invalid) {
          input.setAttribute("aria-invalid", "true");
        } else {
          input.removeAttribute("aria-invalid");
        }
      });
    });
  }

  form.addEventListener("htmx:confirm", function (event) {
    if (state.stopped || state.leaving || !state.dirty) {
      event.preventDefault();
    }
  });
  // htmx sends a form's request to the formaction of the last button focused or clicked in it:
  // with "Submit" or "Fill from my sales log" focused, an autosave would submit the report or
  // overwrite it from the log. Autosaves always go to the form's own hx-post.
  form.addEventListener("htmx:configRequest", function (event) {
    if (event.detail.elt === form) {
      event.detail.path = form.getAttribute("hx-post");
    }
  });
  form.addEventListener("htmx:beforeRequest", function () {
    state.inFlight = true;
    state.sent = state.changes;
  });
  form.addEventListener("htmx:afterRequest", function (event) {
    state.inFlight = false;
    var status = document.getElementById("autosave-status");
    var outcome = status ? status.dataset.state : "";
    if (!event.detail.successful) {
      setStatus(event.detail.xhr && event.detail.xhr.status === 403 ? texts.forbidden : texts.error);
      if (event.detail.xhr && event.detail.xhr.status === 403) {
        state.stopped = true;
      }
    } else if (outcome === "saved" && state.changes === state.sent) {
      state.dirty = false;
    } else if (outcome === "conflict") {
      // The refused save is kept on the server; only what was typed after it is unsaved now.
      state.stopped = true;
      state.dirty = state.changes !== state.sent;
    }
    syncInvalidMarks();
    if (state.resubmit) {
      var submitter = state.resubmit;
      state.resubmit = null;
      form.requestSubmit(submitter);
    }
  });

  // After a conflict, text typed since the refused save would be lost by just following the
  // link: a full save instead records everything in a new conflict and opens that one.
  document.addEventListener("click", function (event) {
    var link = event.target.closest("#autosave-status a[data-conflict-link]");
    if (link && state.dirty) {
      event.preventDefault();
      state.leaving = true;
      form.requestSubmit();
    }
  });

  form.addEventListener("submit", function (event) {
    if (state.inFlight) {
      event.preventDefault();
      state.resubmit = event.submitter || null;
      return;
    }
    state.leaving = true;
  });

  window.addEventListener("beforeunload", function (event) {
    if (state.dirty && !state.leaving) {
      event.preventDefault();
      event.returnValue = texts.leave || "";
      return texts.leave || "";
    }
    return undefined;
  });
})();
