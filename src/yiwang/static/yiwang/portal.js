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
  // every valid value and answers what it refused (a 422, each message shown next to its field,
  // aria-describedby and aria-invalid) and what is still missing before submission. One status
  // line whose text is replaced: 保存中… / 已保存 hh:mm / 未保存：why, never two of them at once.
  var AUTOSAVE_MS = 20000;
  var autosavers = [];
  // Every change this page makes to the draft goes through one queue (autosaves here, in-place
  // uploads and removals in application.js): two at once would find the draft changed under them.
  var writes = Promise.resolve();
  var writing = 0;
  function queueWrite(task) {
    writing += 1;
    var run = writes.then(task, task);
    var done = function () { writing -= 1; };
    writes = run.then(done, done);
    return run;
  }
  window.yiwangDraftWrites = queueWrite;

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

  // --- Messages next to a field (the same markup the server renders for a refused post) -------
  var FIELD = ".field, fieldset.choice-group";
  function wrapperOf(el) { return el && el.closest ? el.closest(FIELD) : null; }
  function controlsOf(el) {
    if (/^(INPUT|SELECT|TEXTAREA)$/.test(el.tagName)) return [el];
    return Array.prototype.slice.call(el.querySelectorAll("input:not([type=hidden]), select, textarea"));
  }
  function describe(el, id, on) {
    var ids = (el.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (x) {
      return x && x !== id;
    });
    if (on) ids.push(id);
    if (ids.length) el.setAttribute("aria-describedby", ids.join(" "));
    else el.removeAttribute("aria-describedby");
  }
  // Take away the messages of one field (`ownOnly`: only those this script put there).
  function clearField(wrap, ownOnly) {
    var holders = [wrap].concat(Array.prototype.slice.call(wrap.querySelectorAll("[aria-describedby]")));
    wrap.querySelectorAll(".field-error").forEach(function (box) {
      if (wrapperOf(box.parentElement) !== wrap && box.parentElement !== wrap) return;
      if (ownOnly && !box.hasAttribute("data-autosave-error")) return;
      holders.forEach(function (h) { if (box.id) describe(h, box.id, false); });
      box.parentNode.removeChild(box);
    });
    if (ownOnly) return;
    wrap.classList.remove("field-invalid");
    controlsOf(wrap).forEach(function (c) {
      if (wrapperOf(c) === wrap) c.removeAttribute("aria-invalid");
    });
  }
  var boxes = 0;
  function showAt(target, text, invalid) {
    var wrap = wrapperOf(target) || target;
    // Who the message describes: the control, a group's fieldset, or a field's only control.
    var holder = target;
    if (!/^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName) && target.tagName !== "FIELDSET") {
      var controls = controlsOf(target);
      holder = target.querySelector("fieldset") || (controls.length === 1 ? controls[0] : target);
    }
    var id = (holder.id || target.id || "field-" + (++boxes)) + "-autosave-error";
    var box = document.getElementById(id);
    if (!box) {
      box = document.createElement("div");
      box.className = "field-error";
      box.id = id;
      box.setAttribute("data-autosave-error", "");
      (holder.tagName === "FIELDSET" ? holder : wrap).appendChild(box);
    }
    var p = document.createElement("p");
    p.textContent = text;
    box.appendChild(p);
    describe(holder, id, true);
    if (invalid) {
      wrap.classList.add("field-invalid");
      controlsOf(target).forEach(function (c) { c.setAttribute("aria-invalid", "true"); });
    }
  }

  function autosave(form) {
    var status = form.querySelector(".autosave-status") || document.getElementById("autosave-status");
    var dirty = false;
    var pending = null;
    var touched = []; // the fields (their .field wrappers) changed since they were last saved
    function message(name, fallback) {
      return (status && status.getAttribute("data-msg-" + name)) || fallback;
    }
    function say(state, text, extra) {
      if (!status) return;
      status.textContent = text;
      status.setAttribute("data-state", state);
      status.classList.toggle("is-error", state === "unsaved");
      if (extra) {
        status.appendChild(document.createTextNode(" "));
        status.appendChild(extra);
      }
    }
    function unsaved(reason, extra) {
      say("unsaved", message("unsaved", "未保存：{reason}").replace("{reason}", reason), extra);
    }
    function keep(wraps) {
      wraps.forEach(function (w) { if (touched.indexOf(w) < 0) touched.push(w); });
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
    // Not saved at all (the network, the server): said in the status and at each field changed.
    function failed(reason, sent, extra) {
      dirty = true; // tried again at the next interval
      keep(sent);
      touched.forEach(function (wrap) {
        clearField(wrap, true);
        showAt(wrap, message("field-unsaved", "这里的修改还没有保存。"), false);
      });
      unsaved(reason, extra);
    }
    function answer(code, body, sent) {
      if (code === 401 && body && body.login_url) {
        var a = document.createElement("a");
        a.href = body.login_url;
        a.textContent = message("relogin", "重新登录");
        failed(body.message || "", sent, a);
        return;
      }
      if (code === 422 && body && body.errors) {
        // The valid values are saved; each refused one is named next to its field.
        sent.forEach(function (wrap) { clearField(wrap, false); });
        var refused = [];
        body.errors.forEach(function (item) {
          var el = item.href && item.href.charAt(0) === "#" ? document.getElementById(item.href.slice(1)) : null;
          if (!el) return;
          var wrap = wrapperOf(el) || el;
          if (refused.indexOf(wrap) < 0) {
            clearField(wrap, false);
            refused.push(wrap);
          }
          showAt(el, item.message || item.text, true);
        });
        keep(refused);
        unsaved(body.message || message("failed", "服务器暂时出错，您填写的内容仍在页面上"));
        if (body.missing) showMissing(body.missing);
        return;
      }
      if (code >= 400 || !body || !body.saved) {
        failed((body && body.message) || message("failed", "服务器暂时出错，您填写的内容仍在页面上"), sent);
        return;
      }
      sent.forEach(function (wrap) { clearField(wrap, false); });
      say("saved", message("saved", "已保存 {time}").replace("{time}", body.saved_at));
      if (body.missing) showMissing(body.missing);
    }
    function save() {
      // A save on its way took the values as they were when it left: what changed since is saved
      // right after it, not at the next interval.
      if (pending) return pending.then(function () { return dirty ? save() : undefined; });
      if (!dirty) return Promise.resolve();
      dirty = false;
      var sent = touched;
      touched = [];
      var token = form.querySelector("[name=csrfmiddlewaretoken]");
      say("saving", message("saving", "保存中…"));
      pending = queueWrite(function () {
        var data = new FormData(form); // read when it leaves: the latest values
        data.set("do", "autosave");
        return fetch(form.action, {
          method: "POST",
          body: data,
          credentials: "same-origin",
          headers: { "Accept": "application/json", "X-CSRFToken": token ? token.value : "" }
        });
      })
        .then(function (response) {
          return response.json().then(
            function (body) { answer(response.status, body, sent); },
            function () { answer(response.status, null, sent); }
          );
        })
        .catch(function () {
          failed(message("offline", "网络连接中断，您填写的内容仍在页面上"), sent);
        })
        .then(function () { pending = null; });
      return pending;
    }
    function change(event) {
      dirty = true;
      var wrap = wrapperOf(event.target);
      if (wrap) keep([wrap]);
    }
    form.addEventListener("input", change);
    form.addEventListener("change", change);
    form.addEventListener("focusout", function () { if (dirty) save(); });
    // Wait for a save already on its way (leaving a field starts one, e.g. when the applicant
    // clicks a submit button): two requests at once would make the second one "stale".
    function settle() {
      return (pending || Promise.resolve()).then(function () { return dirty ? save() : undefined; });
    }
    form.addEventListener("submit", function (event) {
      if (pending || writing) { // a save or an upload on its way: submit once it is answered
        event.preventDefault();
        var submitter = event.submitter;
        (pending || Promise.resolve()).then(function () { return writes; }).then(function () {
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

  // An upload that leaves the page (without application.js, or the licence consent): save the
  // form first so nothing typed is lost (and let a save already on its way finish, or the upload
  // would find the draft changed under it). One listener for the whole page: forms put in place
  // later are covered too; a form application.js sends in place is not (the event is prevented).
  function uploadsSaveFirst() {
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (event.defaultPrevented || !form.matches || !form.matches("form[data-upload]")) return;
      var waiting = autosavers.filter(function (a) { return a.isBusy(); });
      if (!waiting.length) return;
      event.preventDefault();
      Promise.all(waiting.map(function (a) { return a.settle(); })).then(function () { form.submit(); });
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
