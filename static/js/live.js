// The guestbook's live feed: the list page subscribes to
// the URL in its data-live attribute (the route named entries.live,
// server-sent events) and shows each new entry as it is
// posted, from any browser. The server sends JSON; the page builds the
// entry with textContent, so no markup from the network is ever parsed.
(function () {
  "use strict";
  var list = document.getElementById("entries");
  var status = document.getElementById("live-status");
  if (!list || !window.EventSource) return;
  var url = list.getAttribute("data-live");
  // Only the first page shows the newest entries at its top.
  var firstPage = list.getAttribute("data-page") === "1";
  // The account logged in here, "0" for none: only an entry's author
  // gets its edit and delete buttons, as on the server's own pages.
  var viewer = list.getAttribute("data-viewer") || "0";

  function setStatus(live) {
    if (!status) return;
    status.classList.toggle("is-live", live);
    status.textContent = live ? "Live: new entries appear here" : "Reconnecting…";
  }

  function render(e) {
    var li = document.createElement("li");
    li.className = "entry is-new";
    li.id = "entry-" + e.id;
    var head = document.createElement("div");
    head.className = "entry-head";
    var name = document.createElement("h3");
    name.className = "entry-name";
    var link = document.createElement("a");
    link.href = e.url;
    link.textContent = e.name;
    name.appendChild(link);
    var time = document.createElement("time");
    time.className = "entry-time";
    time.dateTime = e.created_at;
    time.textContent = e.created_text;
    head.appendChild(name);
    head.appendChild(time);
    var msg = document.createElement("p");
    msg.className = "entry-message";
    msg.textContent = e.message;
    li.appendChild(head);
    li.appendChild(msg);
    if (viewer !== "0" && String(e.user_id) === viewer) li.appendChild(actions(e));
    return li;
  }

  // actions builds the Edit link and the Delete form the server renders
  // for each entry; the form reuses the CSRF token of the page's own form,
  // which is valid for the whole session.
  function actions(e) {
    var div = document.createElement("div");
    div.className = "actions entry-actions";
    var edit = document.createElement("a");
    edit.className = "btn btn-secondary btn-small";
    edit.href = e.url + "/edit";
    edit.textContent = "Edit";
    div.appendChild(edit);
    var token = document.querySelector('input[name="_csrf"]');
    if (!token) return div;
    var form = document.createElement("form");
    form.className = "inline-form";
    form.method = "post";
    form.action = e.url;
    form.setAttribute("data-confirm", "Delete this entry?");
    [["_csrf", token.value], ["_method", "DELETE"]].forEach(function (kv) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = kv[0];
      input.value = kv[1];
      form.appendChild(input);
    });
    var button = document.createElement("button");
    button.type = "submit";
    button.className = "btn-danger btn-small";
    button.textContent = "Delete";
    form.appendChild(button);
    div.appendChild(form);
    return div;
  }

  var source = new EventSource(url);
  source.onopen = function () { setStatus(true); };
  source.onerror = function () { setStatus(false); };
  source.addEventListener("entry", function (ev) {
    var e;
    try { e = JSON.parse(ev.data); } catch (err) { return; }
    if (!firstPage || document.getElementById("entry-" + e.id)) return;
    var empty = document.getElementById("entries-empty");
    if (empty) empty.remove();
    list.insertBefore(render(e), list.firstChild);
  });
})();
