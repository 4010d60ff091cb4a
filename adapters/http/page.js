// The hosted reset page: posts the link's values and the new password to the API
// and shows its answer. Everything it shows goes in as text, never as HTML.
(function () {
  "use strict";
  var form = document.getElementById("reset-form");
  if (!form) return; // the link was incomplete: the server sent no form
  var general = document.getElementById("form-errors");
  var status = document.getElementById("status");
  var button = form.querySelector("button[type=submit]");
  var secrets = form.querySelectorAll("input[data-secret]");
  var query = new URLSearchParams(location.search);
  var link = { user_id: query.get("user_id"), timestamp: query.get("timestamp"), signature: query.get("signature") };

  var translations = {};
  try { translations = JSON.parse(form.dataset.messages || "{}") || {}; } catch (e) { /* shown in English */ }

  // translate shows one of the API's English messages in the page's language, if it
  // knows it; otherwise as it came.
  function translate(message) {
    var exact = translations.exact || {};
    if (Object.prototype.hasOwnProperty.call(exact, message)) return exact[message];
    var m = /^This password is too short\. It must contain at least (\d+) characters?\.$/.exec(message);
    if (m && translations.short) return (m[1] === "1" ? translations.shortOne : translations.short).replace("%d", m[1]);
    m = /^The password is too similar to the (.+)\.$/.exec(message);
    if (m && translations.similar) return translations.similar.replace("%s", (translations.fields || {})[m[1]] || m[1]);
    return message;
  }

  document.getElementById("show-password").addEventListener("change", function (event) {
    secrets.forEach(function (input) { input.type = event.target.checked ? "text" : "password"; });
  });

  // One message reads as a sentence, several as a list.
  function list(messages) {
    if (messages.length === 1) {
      var p = document.createElement("p");
      p.textContent = messages[0];
      return p;
    }
    var ul = document.createElement("ul");
    messages.forEach(function (message) {
      var li = document.createElement("li");
      li.textContent = message;
      ul.appendChild(li);
    });
    return ul;
  }

  function clear() {
    general.replaceChildren();
    status.textContent = "";
    status.className = "";
    secrets.forEach(function (input) {
      input.removeAttribute("aria-invalid");
      document.getElementById(input.name + "-errors").replaceChildren();
    });
  }

  // DRF answers {"detail": "..."} or {"field": ["message", ...], ...}: the errors of
  // a field of the form go beside it, all others above the form.
  function showErrors(data) {
    var others = [];
    var first = null;
    Object.keys(data).forEach(function (name) {
      var messages = [].concat(data[name]).map(String).map(translate);
      var input = form.elements.namedItem(name);
      var box = input && document.getElementById(name + "-errors");
      if (box) {
        box.appendChild(list(messages));
        input.setAttribute("aria-invalid", "true");
        first = first || input;
      } else {
        others = others.concat(messages);
      }
    });
    if (others.length) general.appendChild(list(others));
    if (others.length || !first) general.focus(); else first.focus();
  }

  function fail(text) {
    general.appendChild(list([text]));
    general.focus();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clear();
    var payload = Object.assign({}, link);
    new FormData(form).forEach(function (value, name) { payload[name] = value; });
    button.disabled = true;
    status.textContent = form.dataset.sending;
    fetch(form.dataset.endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(payload),
      credentials: "omit",
      referrerPolicy: "no-referrer"
    }).then(function (response) {
      return response.json().then(function (data) {
        status.textContent = "";
        if (response.ok) {
          form.remove();
          status.textContent = form.dataset.success;
          status.className = "ok";
          status.focus();
          // The link is spent: keep its signature out of the history.
          history.replaceState(null, "", location.pathname);
          return;
        }
        if (data && typeof data === "object") showErrors(data); else fail(form.dataset.failed);
      }, function () {
        status.textContent = "";
        fail(form.dataset.failed);
      });
    }, function () {
      status.textContent = "";
      fail(form.dataset.unreachable);
    }).finally(function () {
      button.disabled = false;
    });
  });
})();
