/* Behaviour every page shares, from a file: the Content-Security-Policy (script-src 'self') runs no
   inline script or event-handler attribute. A control marked data-submit-on-change submits its form
   when changed (the language switch; without JavaScript its button does); a button marked data-print
   prints the page. A role select marked data-role-scope (a JSON map of role to scope field) shows
   only the scope field (region, department, site or unit) the chosen role needs. */
(function () {
  "use strict";
  document.addEventListener("change", function (e) {
    var el = e.target;
    if (el.matches && el.matches("[data-submit-on-change]") && el.form) el.form.submit();
  });
  function showScope(select) {
    var needs = JSON.parse(select.getAttribute("data-role-scope") || "{}")[select.value];
    ["region", "department", "site", "unit"].forEach(function (name) {
      var box = select.form && select.form.querySelector('[data-field="' + name + '"]');
      if (box) box.hidden = Boolean(needs) && needs !== name;
    });
  }
  document.addEventListener("change", function (e) {
    if (e.target.matches && e.target.matches("select[data-role-scope]")) showScope(e.target);
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select[data-role-scope]").forEach(showScope);
  });
  document.addEventListener("click", function (e) {
    var el = e.target.closest && e.target.closest("[data-print]");
    if (el) window.print();
  });
})();
/* A table filled in place (permits' application form): a button marked data-add-row="NAME" appends a
   copy of <template data-row-template="NAME"> to <tbody data-rows="NAME">, its inputs numbered on from
   data-next (the template's names carry __i__). Without JavaScript the button stays hidden and the table's
   spare empty rows serve; saving gives more. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-add-row]").forEach(function (button) { button.hidden = false; });
    document.querySelectorAll(".rows-table .no-js-hint").forEach(function (hint) { hint.hidden = true; });
  });
  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("[data-add-row]");
    if (!button) return;
    var name = button.getAttribute("data-add-row");
    var body = document.querySelector('tbody[data-rows="' + name + '"]');
    var template = document.querySelector('template[data-row-template="' + name + '"]');
    if (!body || !template) return;
    var next = Number(body.getAttribute("data-next")) || body.rows.length;
    body.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__i__/g, String(next)));
    body.setAttribute("data-next", String(next + 1));
    var first = body.lastElementChild && body.lastElementChild.querySelector("input, select");
    if (first) first.focus();
  });
})();
