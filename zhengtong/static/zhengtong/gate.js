/* The gate screen and the daily health checks: keyboard and barcode scanner first.
   Gate: Enter in the identify box goes to the temperature (an exit, F2 or a leading "-", is
   recorded at once); Enter in the temperature screens; after a decision the form is cleared
   and the cursor is back in the identify box. Without JavaScript the forms post as usual. */
(function () {
  "use strict";

  function post(url, body) {
    return fetch(url, {method: "POST", body: body, credentials: "same-origin", headers: {"HX-Request": "true"}});
  }

  function gate(form) {
    var el = form.elements, code = el.code, temp = el.temperature;
    var who = document.getElementById("who"), answer = document.getElementById("answer");
    var visitor = document.getElementById("gate-visitor");
    var seq = 0, busy = false;

    function showVisitor(kind) {
      visitor.hidden = !kind;
      visitor.dataset.kind = kind || "";
      visitor.querySelector(".visitor-id").hidden = kind !== "full" && kind !== "name";
      visitor.querySelector(".visitor-visit").hidden = kind === "name"; // a refused visitor: who, not whom
    }
    function focus(box) { box.focus(); if (box.select) box.select(); }
    function exiting() { return el.mode.value === "exit" || /^[-－—]/.test(code.value.trim()); }
    function clearWho() { seq++; who.innerHTML = ""; showVisitor(""); }

    function identify(person) {
      var mine = ++seq, body = new FormData();
      body.append("csrfmiddlewaretoken", el.csrfmiddlewaretoken.value);
      body.append("code", code.value);
      if (person) body.append("person", person);
      post(form.dataset.identifyUrl, body)
        .then(function (r) { return r.text(); })
        .then(function (html) {
          if (mine !== seq) return; // another person is being screened by now
          who.innerHTML = html;
          var box = who.firstElementChild, state = box ? box.dataset.state : "error";
          showVisitor(box ? box.dataset.visitor : "");
          var named = who.querySelector("[data-name]"); // a visitor without an ID card, typed by name
          if (named && named.dataset.name && !el.visitor_name.value) el.visitor_name.value = named.dataset.name;
          if (state === "person") { if (document.activeElement !== temp) focus(temp); }
          else if (state === "visitor") focus(el.visitor_name);
          else if (state === "refused") focus(box.dataset.visitor === "name" ? el.visitor_name : temp);
          else if (state === "choose") who.querySelector("button").focus();
          else focus(code);
        });
    }

    function done() {
      var box = answer.firstElementChild;
      if (!box) return;
      if (box.dataset.nextUuid) el.client_uuid.value = box.dataset.nextUuid;
      if (box.dataset.result === "error") {
        if (box.dataset.visitor) showVisitor(box.dataset.visitor);
        focus(el[box.dataset.focus] || code);
        return;
      }
      ["code", "temperature", "visitor_name", "visitor_phone", "visit_host", "visit_purpose"].forEach(function (n) {
        el[n].value = "";
      });
      clearWho();
      code.focus();
    }

    form.addEventListener("submit", function (e) {
      e.preventDefault();
      if (busy) return;
      busy = true;
      post(form.action, new FormData(form))
        .then(function (r) {
          if (r.redirected) { window.location = r.url; return ""; } // signed out
          return r.text().then(function (html) { return r.ok ? html : '<div class="answer answer-error" ' +
            'data-result="error" data-focus="code"><div class="answer-title">' + r.status + "</div></div>"; });
        })
        .then(function (html) { if (html) { answer.innerHTML = html; done(); } })
        .catch(function () {
          answer.innerHTML = '<div class="answer answer-error" data-result="error" data-focus="temperature">' +
            '<div class="answer-title">…</div></div>';
          focus(temp);
        })
        .finally(function () { busy = false; });
    });

    form.addEventListener("keydown", function (e) {
      var t = e.target;
      if (e.key === "F2") {
        e.preventDefault();
        var other = form.querySelector('input[name=mode]:not(:checked)');
        other.checked = true;
        focus(code);
        return;
      }
      if (e.key !== "Enter" || e.isComposing) return;
      if (t === code) {
        e.preventDefault();
        if (!code.value.trim()) return;
        if (exiting()) { form.requestSubmit(); return; }
        focus(temp);
        identify();
      } else if (visitor.contains(t) && t.tagName === "INPUT") {
        e.preventDefault();
        var boxes = Array.prototype.filter.call(visitor.querySelectorAll("input"), function (b) {
          return b.offsetParent !== null;
        });
        var next = boxes[boxes.indexOf(t) + 1] || temp;
        focus(next);
      } else if (t.name === "mode" || t === el.area) {
        e.preventDefault();
        focus(code);
      }
    });

    code.addEventListener("input", function () {
      clearWho();
      if (answer.firstElementChild) answer.firstElementChild.classList.add("answer-stale"); // the next person
    });
    who.addEventListener("click", function (e) {
      var b = e.target.closest("button[data-person]");
      if (b) { focus(temp); identify(b.dataset.person); }
    });
    if (!visitor.hidden) showVisitor("full");
    code.focus();
  }

  function healthChecks(list) {
    list.addEventListener("submit", function (e) {
      e.preventDefault();
      var f = e.target, row = f.closest("[data-row]");
      post(f.action, new FormData(f)).then(function (r) { return r.text(); }).then(function (html) {
        var holder = document.createElement("div");
        holder.innerHTML = html.trim();
        var fresh = holder.firstElementChild;
        row.replaceWith(fresh);
        var again = fresh.querySelector("input[name=temperature]");
        if (again) { again.focus(); again.select(); return; }
        var rest = list.querySelectorAll("input[name=temperature]");
        for (var i = 0; i < rest.length; i++) {
          if (fresh.compareDocumentPosition(rest[i]) & Node.DOCUMENT_POSITION_FOLLOWING) { rest[i].focus(); return; }
        }
        if (rest.length) rest[0].focus();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-print]").forEach(function (b) {
      b.addEventListener("click", function () { window.print(); });
    });
    var form = document.getElementById("gate-form");
    if (form) gate(form);
    var list = document.querySelector("[data-health-list]");
    if (list) healthChecks(list);
  });
})();
