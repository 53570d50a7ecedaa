/* Workbench enhancements (the pages work without them):
   - formsets: "添加…" adds an empty row in place instead of a round trip;
   - schema forms rendered live (data-schema-live): fields with show_if appear when their
     condition is met. */
(function () {
  "use strict";

  function addRow(container) {
    var prefix = container.getAttribute("data-formset");
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var template = container.querySelector("template[data-formset-template]");
    var rows = container.querySelector("[data-formset-rows]");
    if (!total || !template || !rows) {
      return false;
    }
    var index = parseInt(total.value, 10) || 0;
    var holder = document.createElement("div");
    holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index));
    var row = holder.firstElementChild;
    if (!row) {
      return false;
    }
    rows.appendChild(row);
    var placeholder = rows.querySelector("[data-formset-empty]");
    if (placeholder) {
      placeholder.remove();
    }
    total.value = String(index + 1);
    var first = row.querySelector("input:not([type=hidden]), select, textarea");
    if (first) {
      first.focus();
    }
    return true;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-formset-add]") : null;
    if (!button) {
      return;
    }
    var container = button.closest("[data-formset]");
    if (container && addRow(container)) {
      event.preventDefault();
    }
  });

  function valuesOf(root, name) {
    var values = [];
    root.querySelectorAll("[name]").forEach(function (control) {
      if (control.name !== name) {
        return;
      }
      if (control.type === "radio" || control.type === "checkbox") {
        if (control.checked) {
          values.push(control.value);
        }
      } else if (control.value) {
        values.push(control.value);
      }
    });
    return values;
  }

  function applyShowIf(root) {
    root.querySelectorAll("[data-show-if-field]").forEach(function (wrap) {
      var values = valuesOf(root, wrap.getAttribute("data-show-if-field"));
      var wanted = wrap.getAttribute("data-show-if-value");
      var visible = wanted === null ? values.length > 0 : values.indexOf(wanted) !== -1;
      wrap.hidden = !visible;
    });
  }

  // A page that answers a form with problems and lists them: take the keyboard to the list.
  var summary = document.querySelector(".form-errors[role=alert][tabindex='-1']");
  if (summary) {
    summary.focus();
  }

  document.querySelectorAll("[data-schema-live]").forEach(function (root) {
    root.addEventListener("change", function () { applyShowIf(root); });
    root.addEventListener("input", function () { applyShowIf(root); });
    applyShowIf(root);
  });
})();

/* Printable pages (the window receipt): a button that opens the print dialog. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-print]") : null;
    if (button) {
      event.preventDefault();
      window.print();
    }
  });
})();
