/* Behaviour every page shares, from a file: the Content-Security-Policy (script-src 'self') runs no
   inline script or event-handler attribute. A control marked data-submit-on-change submits its form
   when changed (the language switch; without JavaScript its button does); a button marked data-print
   prints the page. */
(function () {
  "use strict";
  document.addEventListener("change", function (e) {
    var el = e.target;
    if (el.matches && el.matches("[data-submit-on-change]") && el.form) el.form.submit();
  });
  document.addEventListener("click", function (e) {
    var el = e.target.closest && e.target.closest("[data-print]");
    if (el) window.print();
  });
})();
