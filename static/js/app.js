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
  // The docs' chapter list is open in the page; on a narrow screen, fold
  // it, so that the chapter comes first. Wide screens keep it open.
  var fold = document.querySelector(".docs-nav-fold");
  if (fold && window.matchMedia("(max-width: 820px)").matches) fold.open = false;
  if (fold) {
    fold.addEventListener("toggle", function () {
      if (!window.matchMedia("(max-width: 820px)").matches) fold.open = true;
    });
  }
})();
