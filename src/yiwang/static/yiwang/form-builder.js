/* The form builder (workbench/catalog/form_builder.html). The page works without it: every
   operation is a form post. With it:
   - a folded or opened field (and its 高级) is remembered in a hidden input, so the page the server
     sends back after an operation (swapped in place by htmx) keeps what the clerk had open;
   - changing a field's type shows only the properties of that type;
   - the folded summary follows the title, the type and 必填 as they are typed;
   - typing a regular expression under 高级 picks 自定义 as the format;
   - an operation whose answer is not the builder (an error, the sign-in page after the session
     expired, no network) leaves the page as it is and says so, instead of swapping it away. */
(function () {
  "use strict";

  function scopeOf(element) {
    return element.closest(".builder-column, .builder-field");
  }

  function ownGroups(scope) {
    return Array.prototype.filter.call(scope.querySelectorAll("[data-types]"), function (group) {
      return scopeOf(group) === scope;
    });
  }

  function showType(select) {
    var scope = scopeOf(select);
    if (!scope) {
      return;
    }
    ownGroups(scope).forEach(function (group) {
      if (group.hasAttribute("data-keep")) {
        return;
      }
      group.hidden = group.getAttribute("data-types").split(" ").indexOf(select.value) === -1;
    });
    var kind = scope.querySelector(".field-props > summary [data-summary-type]");
    if (kind && scope.classList.contains("builder-field")) {
      kind.textContent = select.options[select.selectedIndex].text;
    }
  }

  function remember(details) {
    var form = details.closest("form");
    var name = details.getAttribute("data-state");
    var input = form && name ? form.querySelector('input[name="' + name + '"]') : null;
    if (input) {
      input.value = details.open ? "1" : "";
    }
  }

  function summaryOf(input) {
    var field = input.closest(".builder-field");
    if (!field || input.closest(".builder-column")) {
      return null;
    }
    return field.querySelector(".field-props > summary");
  }

  // `toggle` does not bubble: listen in the capture phase, for details swapped in later too.
  document.addEventListener(
    "toggle",
    function (event) {
      if (event.target.matches && event.target.matches("details[data-state]")) {
        remember(event.target);
      }
    },
    true
  );

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches("[data-type-select]")) {
      showType(target);
    } else if (target.type === "checkbox" && /-required$/.test(target.name)) {
      var summary = summaryOf(target);
      var flag = summary ? summary.querySelector("[data-summary-required]") : null;
      if (flag) {
        flag.hidden = !target.checked;
      }
    }
  });

  document.addEventListener("input", function (event) {
    var target = event.target;
    if (/-label$/.test(target.name || "")) {
      var summary = summaryOf(target);
      var title = summary ? summary.querySelector("[data-summary-label]") : null;
      if (title) {
        title.textContent = target.value.trim() || title.getAttribute("data-empty");
      }
    } else if (target.matches("[data-pattern-custom]") && target.value.trim()) {
      var scope = scopeOf(target);
      var select = scope ? scope.querySelector("[data-pattern-select]") : null;
      if (select && scopeOf(select) === scope) {
        select.value = "custom";
      }
    }
  });

  function failed() {
    var status = document.getElementById("builder-status");
    if (status) {
      status.textContent = status.getAttribute("data-message");
      status.hidden = false;
      status.scrollIntoView({ block: "nearest" });
    }
  }

  function isBuilderRequest(event) {
    var target = event.detail && event.detail.target;
    return Boolean(target && (target.id === "builder" || target.id === "schema-preview"));
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    if (!isBuilderRequest(event)) {
      return;
    }
    var answer = event.detail.xhr ? event.detail.xhr.responseText || "" : "";
    var ok = event.detail.xhr && event.detail.xhr.status === 200;
    if (ok && event.detail.target.id === "builder" && answer.indexOf('id="builder"') === -1) {
      ok = false;
    }
    if (ok && event.detail.target.id === "schema-preview" && /<html/i.test(answer)) {
      ok = false;
    }
    if (!ok) {
      event.detail.shouldSwap = false;
      failed();
    } else {
      var status = document.getElementById("builder-status");
      if (status) {
        status.hidden = true;
      }
    }
  });
  document.addEventListener("htmx:sendError", function (event) {
    if (isBuilderRequest(event)) {
      failed();
    }
  });
})();
