// Small progressive enhancements for every page. The pages work without
// it; the Content-Security-Policy allows no inline scripts, so behaviour
// lives here.
(function () {
  "use strict";
  // Forms with data-confirm ask before they submit (delete buttons).
  document.addEventListener("submit", function (ev) {
    var msg = ev.target.getAttribute && ev.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) ev.preventDefault();
  });
})();
