// Citizen pages: small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }
  // Print every collapsible section open (the legal basis is part of the notice).
  var opened = [];
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details:not([open])").forEach(function (d) {
      d.open = true;
      opened.push(d);
    });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (d) { d.open = false; });
    opened = [];
  });

  // --- Application forms -----------------------------------------------------------------------

  // Fields with a condition (show_if) appear when the answer they depend on is given.
  function valuesOf(root, name) {
    var values = [];
    root.querySelectorAll("[name]").forEach(function (control) {
      if (control.name !== name) return;
      if (control.type === "radio" || control.type === "checkbox") {
        if (control.checked) values.push(control.value);
      } else if (control.value) {
        values.push(control.value);
      }
    });
    return values;
  }
  function liveSchemaForm(root) {
    function apply() {
      root.querySelectorAll("[data-show-if-field]").forEach(function (wrap) {
        var values = valuesOf(root, wrap.getAttribute("data-show-if-field"));
        var wanted = wrap.getAttribute("data-show-if-value");
        wrap.hidden = !(wanted === null ? values.length > 0 : values.indexOf(wanted) !== -1);
      });
    }
    root.addEventListener("change", apply);
    root.addEventListener("input", apply);
    apply();
  }

  // The express address is asked for only when express delivery is chosen.
  function expressFields() {
    var box = document.querySelector("[data-express-fields]");
    if (!box) return;
    var radios = document.querySelectorAll("input[name=delivery_method]");
    function apply() {
      var express = document.getElementById("delivery-express");
      box.hidden = !(express && express.checked);
    }
    radios.forEach(function (r) { r.addEventListener("change", apply); });
    apply();
  }

  // Autosave: every 20 seconds and when leaving a field, if something changed; the server saves
  // every valid value and answers what was wrong and what is still missing before submission.
  var AUTOSAVE_MS = 20000;
  var autosavers = [];

  function link(item) {
    var li = document.createElement("li");
    if (item.href) {
      var a = document.createElement("a");
      a.href = item.href;
      a.textContent = item.text;
      li.appendChild(a);
    } else {
      li.textContent = item.text;
    }
    return li;
  }

  function autosave(form) {
    var status = form.querySelector(".autosave-status") || document.getElementById("autosave-status");
    var dirty = false;
    var pending = null;
    var marked = [];
    function message(name, fallback) {
      return (status && status.getAttribute("data-msg-" + name)) || fallback;
    }
    function say(text, isError, extra) {
      if (!status) return;
      status.textContent = text;
      status.classList.toggle("is-error", !!isError);
      if (extra) status.appendChild(extra);
    }
    function showMissing(items) {
      var list = document.getElementById("missing-list");
      var none = document.getElementById("missing-none");
      if (!list) return;
      while (list.firstChild) list.removeChild(list.firstChild);
      items.forEach(function (item) { list.appendChild(link(item)); });
      list.hidden = items.length === 0;
      if (none) none.hidden = items.length !== 0;
    }
    function markInvalid(errors) {
      marked.forEach(function (el) { el.removeAttribute("aria-invalid"); });
      marked = [];
      errors.forEach(function (item) {
        var el = item.href && item.href.charAt(0) === "#" ? document.getElementById(item.href.slice(1)) : null;
        if (el && /^(INPUT|SELECT|TEXTAREA)$/.test(el.tagName)) {
          el.setAttribute("aria-invalid", "true");
          marked.push(el);
        }
      });
    }
    function answer(status_, body) {
      if (status_ === 401) {
        var a = document.createElement("a");
        a.href = body.login_url;
        a.textContent = message("relogin", "重新登录");
        say((body.message || "") + " ", true, a);
        return;
      }
      if (status_ >= 400 || !body || !body.saved) {
        dirty = true;
        say((body && body.message) || message("failed", "自动保存失败，您填写的内容仍在页面上，请稍后再试。"), true);
        return;
      }
      var text = message("saved", "已自动保存（{time}）").replace("{time}", body.saved_at);
      markInvalid(body.errors || []);
      if (body.errors && body.errors.length) {
        var ul = document.createElement("ul");
        body.errors.forEach(function (item) { ul.appendChild(link(item)); });
        say(text + " " + message("invalid", "以下内容有误，暂未保存："), true, ul);
      } else {
        say(text, false);
      }
      if (body.missing) showMissing(body.missing);
    }
    function save() {
      if (pending) return pending;
      if (!dirty) return Promise.resolve();
      dirty = false;
      var data = new FormData(form);
      data.set("do", "autosave");
      var token = form.querySelector("[name=csrfmiddlewaretoken]");
      say(message("saving", "正在保存…"), false);
      pending = fetch(form.action, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "Accept": "application/json", "X-CSRFToken": token ? token.value : "" }
      })
        .then(function (response) {
          return response.json().then(
            function (body) { answer(response.status, body); },
            function () { answer(response.status, null); }
          );
        })
        .catch(function () {
          dirty = true;
          say(message("offline", "网络连接中断，暂未保存；您填写的内容仍在页面上。"), true);
        })
        .then(function () { pending = null; });
      return pending;
    }
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("change", function () { dirty = true; });
    form.addEventListener("focusout", function () { if (dirty) save(); });
    // Wait for a save already on its way (leaving a field starts one, e.g. when the applicant
    // clicks a submit button): two requests at once would make the second one "stale".
    function settle() {
      return (pending || Promise.resolve()).then(function () { return dirty ? save() : undefined; });
    }
    form.addEventListener("submit", function (event) {
      if (pending) {
        event.preventDefault();
        var submitter = event.submitter;
        pending.then(function () {
          dirty = false;
          if (form.requestSubmit) form.requestSubmit(submitter || undefined);
          else form.submit();
        });
        return;
      }
      dirty = false;
    });
    window.setInterval(function () { if (dirty) save(); }, AUTOSAVE_MS);
    // Leaving the page (closing the tab, following a link): send what changed.
    window.addEventListener("pagehide", function () {
      if (!dirty || !navigator.sendBeacon) return;
      var data = new FormData(form);
      data.set("do", "autosave");
      navigator.sendBeacon(form.action, data);
      dirty = false;
    });
    autosavers.push({ settle: settle, isBusy: function () { return dirty || pending !== null; } });
  }

  // An upload leaves the page: save the form first so nothing typed is lost (and let a save
  // already on its way finish, or the upload would find the draft changed under it).
  function uploadsSaveFirst() {
    document.querySelectorAll("form[data-upload]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        var waiting = autosavers.filter(function (a) { return a.isBusy(); });
        if (!waiting.length) return;
        event.preventDefault();
        Promise.all(waiting.map(function (a) { return a.settle(); })).then(function () { form.submit(); });
      });
    });
  }

  // Run last: a deferred script finds the document parsed and `ready` calls at once, so
  // everything it uses (AUTOSAVE_MS, autosavers…) must be assigned by then.
  ready(function () {
    ["print-guide", "print-page"].forEach(function (id) {
      var print = document.getElementById(id);
      if (print) {
        print.hidden = false;
        print.addEventListener("click", function () { window.print(); });
      }
    });
    // A page that answers a form with problems: take the keyboard to the list of them.
    var summary = document.getElementById("error-summary");
    if (summary) summary.focus();
    document.querySelectorAll("[data-schema-live]").forEach(liveSchemaForm);
    expressFields();
    document.querySelectorAll("form[data-autosave]").forEach(autosave);
    uploadsSaveFirst();
    document.querySelectorAll("form.rating-form").forEach(ratingTags);
  });

  // The rating form: once a level is chosen, only that level's tags are offered (without script
  // every group shows, and the server names a tag that does not fit the level).
  function ratingTags(form) {
    function show() {
      var chosen = form.querySelector("input[name=level]:checked");
      form.querySelectorAll(".tag-group").forEach(function (group) {
        var fits = !chosen || group.dataset.levels.split(" ").indexOf(chosen.value) >= 0;
        group.hidden = !fits;
        if (!fits) group.querySelectorAll("input").forEach(function (box) { box.checked = false; });
      });
    }
    form.querySelectorAll("input[name=level]").forEach(function (radio) { radio.addEventListener("change", show); });
    show();
  }
})();
