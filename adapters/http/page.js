// The hosted reset page's script. The page works without it (its forms post to
// pwreset, which answers with the page); with it, the forms post to the API and the
// page shows its answers in place. Everything it shows goes in as text, never as HTML.
(function () {
  "use strict";
  var page = document.getElementById("page");
  var general = document.getElementById("form-errors");
  var status = document.getElementById("status");
  var heading = document.getElementById("heading");
  var signIn = document.getElementById("sign-in");
  var resetForm = document.getElementById("reset-form");
  var linkForm = document.getElementById("link-form");
  // A team's template from before these ids may lack <main id="page"> and the form
  // for a new link; its form carries the data then.
  var texts = (page || resetForm || document.body).dataset;

  var messages = {};
  try { messages = JSON.parse(texts.messages || "{}") || {}; } catch (e) { /* shown as they come */ }
  var patterns = {};
  Object.keys(messages.patterns || {}).forEach(function (key) {
    patterns[key] = new RegExp(messages.patterns[key]);
  });
  function own(map, key) { return map && Object.prototype.hasOwnProperty.call(map, key); }

  // translate shows one of the API's English messages in the page's words, as the
  // server does for the forms posted without script; otherwise as it came.
  function translate(message) {
    if (own(messages.exact, message)) return messages.exact[message];
    var counted = messages.counted || {};
    for (var key in patterns) {
      if (key === "similar" || !own(patterns, key)) continue;
      var m = patterns[key].exec(message);
      if (m) {
        if (!own(counted, key)) return message;
        return (m[1] === "1" ? counted[key].one : counted[key].other).replace("%d", m[1]);
      }
    }
    var similar = patterns.similar && patterns.similar.exec(message);
    if (similar && own(messages.similar, similar[1])) return messages.similar[similar[1]];
    if (similar && own(messages.similar, "")) return messages.similar[""];
    return message;
  }

  // say is a message as the page shows it: translated, or marked as English.
  function say(message) {
    var text = translate(message);
    return { text: text, en: text === message && document.documentElement.lang !== "en" };
  }

  // setTitle shows the page's new state in its heading and the window's title.
  function setTitle(title) {
    if (!title) return; // a template of a team's own may not give it
    if (heading) heading.textContent = title;
    document.title = texts.product ? title + " · " + texts.product : title;
  }

  // item writes one message (from say, or a text of the page's own) into element.
  function item(element, message) {
    if (typeof message === "string") message = { text: message };
    element.textContent = message.text;
    if (message.en) element.lang = "en";
    return element;
  }

  // One message reads as a sentence, several as a list.
  function list(messages) {
    if (messages.length === 1) return item(document.createElement("p"), messages[0]);
    var ul = document.createElement("ul");
    messages.forEach(function (message) {
      ul.appendChild(item(document.createElement("li"), message));
    });
    return ul;
  }

  function clear(form) {
    general.replaceChildren();
    status.textContent = "";
    status.className = "";
    status.removeAttribute("lang");
    form.querySelectorAll("input[aria-describedby]").forEach(function (input) {
      input.removeAttribute("aria-invalid");
      var box = document.getElementById(input.id + "-errors");
      if (box) box.replaceChildren();
    });
  }

  function fail(text) {
    general.replaceChildren(list([text]));
    general.focus();
  }

  // DRF answers {"detail": "..."} or {"field": ["message", ...], ...}: the errors of
  // a field of the form go beside it, all others above the form.
  function showErrors(form, data) {
    var others = [];
    var first = null;
    Object.keys(data).forEach(function (name) {
      var found = [].concat(data[name]).map(String).map(say);
      if (!found.length) return;
      var input = form.elements.namedItem(name);
      var box = input && input.id && document.getElementById(input.id + "-errors");
      if (box) {
        box.replaceChildren(list(found));
        input.setAttribute("aria-invalid", "true");
        first = first || input;
      } else {
        others = others.concat(found);
      }
    });
    if (others.length) general.replaceChildren(list(others));
    if (others.length || !first) general.focus(); else first.focus();
  }

  // post sends the form's fields (and extra) to its API endpoint as JSON, and hands
  // the answer to done or to the errors.
  function post(form, extra, done) {
    var button = form.querySelector("button[type=submit]");
    var payload = {};
    new FormData(form).forEach(function (value, name) { payload[name] = value; });
    Object.keys(extra).forEach(function (name) {
      if (extra[name] === null) delete payload[name]; else payload[name] = extra[name];
    });
    clear(form);
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
        if (response.ok) return done(data);
        if (!data || typeof data !== "object") return fail(texts.failed);
        if (own(messages.link, data.detail)) return badLink(data.detail);
        showErrors(form, data);
      }, function () {
        status.textContent = "";
        fail(texts.failed);
      });
    }, function () {
      status.textContent = "";
      fail(texts.unreachable);
    }).finally(function () {
      button.disabled = false;
    });
  }

  // badLink says that the link cannot be used, and offers to ask for a new one.
  function badLink(detail) {
    if (resetForm) resetForm.remove();
    resetForm = null;
    history.replaceState(null, "", location.pathname); // nothing to keep of a bad link
    setTitle(messages.link[detail]);
    if (linkForm) linkForm.hidden = false;
    general.replaceChildren(list([say(detail)]));
    general.focus();
  }

  if (resetForm) {
    var secrets = resetForm.querySelectorAll("input[data-secret]");
    var toggle = document.getElementById("show-password");
    toggle.parentElement.hidden = false; // it needs the script
    toggle.addEventListener("change", function () {
      secrets.forEach(function (input) { input.type = toggle.checked ? "text" : "password"; });
    });
    resetForm.addEventListener("submit", function (event) {
      event.preventDefault();
      // The hidden fields carry the link (in a template of a team's own, maybe only
      // the address does); the login is only for password managers.
      var extra = { username: null };
      var query = new URLSearchParams(location.search);
      ["user_id", "timestamp", "signature"].forEach(function (name) {
        if (!resetForm.elements.namedItem(name) && query.has(name)) extra[name] = query.get(name);
      });
      post(resetForm, extra, function () {
        var success = resetForm.dataset.success;
        resetForm.remove();
        resetForm = null;
        setTitle(texts.titleDone);
        status.textContent = success;
        status.className = "ok";
        if (signIn) signIn.hidden = false;
        status.focus();
        // The link is spent: keep its signature out of the history.
        history.replaceState(null, "", location.pathname);
      });
    });
  }

  if (linkForm) linkForm.addEventListener("submit", function (event) {
    event.preventDefault();
    post(linkForm, {}, function (data) {
      linkForm.hidden = true;
      setTitle(texts.titleSent);
      item(status, say(String(data && data.detail)));
      status.className = "ok";
      status.focus();
    });
  });
})();
