// The application page (portal/cases/apply.html): materials are uploaded and removed in place.
// Choosing a file uploads it at once, with a progress bar; the server answers the material's item
// and the parts of the page it changes (each replaces the element with the same id) and the
// sentence the live region reads out. A file too large, or of a type the field does not accept,
// is refused here before a byte is sent (the server checks again: size, content sniffing). The
// page never reloads, so nothing typed in the form is lost. Without this file every form posts and
// the page reloads, as before (portal.js then saves the form first).
(function () {
  "use strict";
  var section; // #step-materials: the limits and the messages
  var live; // #upload-status: the live region
  var progresses = 0;

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }
  function message(name, fallback) {
    return (section && section.getAttribute("data-msg-" + name)) || fallback;
  }
  function announce(text) {
    if (!live) return;
    live.textContent = "";
    // A new text node: read out even when the same sentence comes twice.
    window.setTimeout(function () { live.textContent = text; }, 50);
  }
  // One queue with the autosave (portal.js): the draft changes one request at a time.
  function queued(task) {
    return window.yiwangDraftWrites ? window.yiwangDraftWrites(task) : task();
  }
  function token(form) {
    var input = form.querySelector("[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // --- The message next to the file field ------------------------------------------------------
  function fileInput(form) {
    return form.querySelector("input[type=file]");
  }
  function describe(el, id, on) {
    var ids = (el.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (x) {
      return x && x !== id;
    });
    if (on) ids.push(id);
    if (ids.length) el.setAttribute("aria-describedby", ids.join(" "));
    else el.removeAttribute("aria-describedby");
  }
  function clearError(form) {
    var input = fileInput(form);
    if (!input) return;
    var id = input.id + "-error";
    var box = document.getElementById(id);
    if (box) box.parentNode.removeChild(box);
    describe(input, id, false);
    input.removeAttribute("aria-invalid");
    var field = input.closest(".field");
    if (field) field.classList.remove("field-invalid");
  }
  var notes = 0;
  function showError(form, text, extra) {
    var input = fileInput(form);
    if (!input) {
      // A removal refused: the message beside its button.
      var note = form.querySelector(".remove-error") || document.createElement("p");
      note.className = "field-error remove-error";
      note.id = note.id || "remove-error-" + (++notes);
      note.textContent = text;
      form.appendChild(note);
      var button = form.querySelector("button");
      if (button) describe(button, note.id, true);
      announce(text);
      return;
    }
    clearError(form);
    var field = input.closest(".field") || form;
    var box = document.createElement("div");
    box.className = "field-error";
    box.id = input.id + "-error";
    var p = document.createElement("p");
    p.textContent = text;
    if (extra) {
      p.appendChild(document.createTextNode(" "));
      p.appendChild(extra);
    }
    box.appendChild(p);
    field.appendChild(box);
    field.classList.add("field-invalid");
    input.setAttribute("aria-invalid", "true");
    describe(input, box.id, true);
    announce(text);
  }

  // --- Before sending: the field's own limits -------------------------------------------------
  function megabytes(bytes) {
    return (bytes / 1048576).toFixed(1);
  }
  function refusal(input, file) {
    var accept = (input.getAttribute("accept") || "")
      .split(",")
      .map(function (x) { return x.trim().toLowerCase(); })
      .filter(Boolean);
    var dot = file.name.lastIndexOf(".");
    var extension = dot >= 0 ? file.name.slice(dot).toLowerCase() : "";
    if (accept.length && accept.indexOf(extension) < 0) {
      return message("wrong-type", "“{name}”不是可以上传的格式。").replace("{name}", file.name);
    }
    var max = parseInt((section && section.getAttribute("data-max-bytes")) || "0", 10);
    if (max && file.size > max) {
      return message("too-large", "文件过大：{size} MB，上限为 {max} MB。")
        .replace("{size}", megabytes(file.size))
        .replace("{max}", String(Math.round(max / 1048576)));
    }
    return "";
  }

  function progressBar(form, file) {
    var wrap = document.createElement("div");
    wrap.className = "upload-progress";
    var bar = document.createElement("progress");
    bar.id = "upload-progress-" + (++progresses);
    bar.max = 100;
    bar.value = 0;
    bar.textContent = "0%";
    var label = document.createElement("label");
    label.htmlFor = bar.id;
    label.textContent = message("uploading", "正在上传：{name}").replace("{name}", file.name);
    wrap.appendChild(label);
    wrap.appendChild(bar);
    form.appendChild(wrap);
    return bar;
  }
  function setProgress(bar, percent) {
    bar.value = percent;
    bar.textContent = percent + "%";
  }

  // --- The answer: parts of the page replaced by id ------------------------------------------
  function place(html) {
    var template = document.createElement("template");
    template.innerHTML = html;
    var focused = document.activeElement && document.activeElement.id;
    var said = "";
    var placed = [];
    Array.prototype.slice.call(template.content.children).forEach(function (el) {
      if (el.hasAttribute("data-announce")) {
        said = el.textContent.trim();
        return;
      }
      var old = el.id ? document.getElementById(el.id) : null;
      if (!old) return;
      old.parentNode.replaceChild(el, old);
      placed.push(el);
    });
    placed.forEach(enhance);
    // The keyboard stays where it was: the same control, or the file field of the new item.
    var now = document.activeElement;
    if (!now || now === document.body || !now.isConnected) {
      var back = focused ? document.getElementById(focused) : null;
      if (!back && placed.length) back = placed[0].querySelector("input[type=file]") || placed[0];
      if (back) back.focus();
    }
    return { said: said, placed: placed };
  }

  function send(form, file) {
    var bar = file ? progressBar(form, file) : null;
    form.setAttribute("aria-busy", "true");
    var buttons = form.querySelectorAll("button");
    buttons.forEach(function (b) { b.disabled = true; });
    var data = new FormData(form);
    var input = fileInput(form);
    if (input) input.value = ""; // sent (or refused): choosing the same file again uploads again
    function done() {
      form.removeAttribute("aria-busy");
      buttons.forEach(function (b) { b.disabled = false; });
      if (bar && bar.parentNode) bar.parentNode.parentNode.removeChild(bar.parentNode);
    }
    return queued(function () {
      return new Promise(function (resolve) {
        var xhr = new XMLHttpRequest();
        xhr.open("POST", form.action);
        xhr.setRequestHeader("HX-Request", "true");
        xhr.setRequestHeader("Accept", "text/html");
        xhr.setRequestHeader("X-CSRFToken", token(form));
        if (bar) {
          xhr.upload.addEventListener("progress", function (event) {
            if (event.lengthComputable) setProgress(bar, Math.round((event.loaded / event.total) * 100));
          });
        }
        xhr.onload = function () {
          if (bar) setProgress(bar, 100);
          answer(form, xhr);
          done();
          resolve();
        };
        xhr.onerror = function () {
          done();
          showError(form, message("offline", "网络连接中断，文件没有上传，请再试一次。"));
          resolve();
        };
        xhr.send(data);
      });
    });
  }

  function answer(form, xhr) {
    var type = xhr.getResponseHeader("Content-Type") || "";
    if (xhr.status === 401) {
      var body = null;
      try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
      var a = null;
      if (body && body.login_url) {
        a = document.createElement("a");
        a.href = body.login_url;
        a.textContent = message("relogin", "重新登录");
      }
      showError(form, (body && body.message) || message("failed", "上传没有成功，请再试一次。"), a);
      return;
    }
    if (type.indexOf("text/html") !== 0 || xhr.responseText.indexOf("data-announce") < 0) {
      showError(form, message("failed", "上传没有成功，请再试一次。"));
      return;
    }
    var result = place(xhr.responseText);
    if (xhr.status >= 400 && form.isConnected) {
      showError(form, result.said || message("failed", "上传没有成功，请再试一次。")); // not replaced: say it here
    } else if (result.said) {
      announce(result.said);
    }
  }

  // --- The forms ------------------------------------------------------------------------------
  function submitted(event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-upload-in-place], form[data-remove-in-place]")) return;
    if (!section || !section.contains(form)) return;
    event.preventDefault(); // before portal.js's listener (capture): this form is sent here
    if (form.getAttribute("aria-busy") === "true") return;
    var input = fileInput(form);
    var file = input && input.files && input.files[0];
    if (input && !file) {
      showError(form, message("choose", "请选择要上传的文件。"));
      return;
    }
    if (file) {
      var why = refusal(input, file);
      if (why) {
        input.value = "";
        showError(form, why);
        return;
      }
    }
    clearError(form);
    send(form, file);
  }

  // A material's own field uploads as soon as a file is chosen (its 上传 button is for pages
  // without this script); the supplementary material waits for its name and the button.
  function enhance(root) {
    var forms = root.matches && root.matches("form[data-upload-auto]") ? [root] : [];
    forms = forms.concat(Array.prototype.slice.call(root.querySelectorAll("form[data-upload-auto]")));
    forms.forEach(function (form) {
      var button = form.querySelector("button[type=submit]");
      if (button) button.hidden = true;
      var input = fileInput(form);
      if (!input) return;
      input.addEventListener("change", function () {
        if (!input.files || !input.files.length) return;
        if (form.requestSubmit) form.requestSubmit();
        else submitted({ target: form, preventDefault: function () {} });
      });
    });
  }

  ready(function () {
    section = document.getElementById("step-materials");
    live = document.getElementById("upload-status");
    var able = window.FormData && window.XMLHttpRequest && "content" in document.createElement("template");
    if (!section || !able) return;
    document.addEventListener("submit", submitted, true);
    enhance(section);
    document.querySelectorAll("[data-with-script]").forEach(function (el) { el.hidden = false; });
    document.querySelectorAll("[data-without-script]").forEach(function (el) { el.hidden = true; });
  });
})();
