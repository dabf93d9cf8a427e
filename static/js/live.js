// The guestbook's live feed: the list page opens a WebSocket on
// /ws/entries (new entries and the number of pages open, "who is here")
// and shows each new entry as it is posted, from any browser. Where a
// WebSocket cannot be opened (no WebSocket in the browser, or a proxy
// that refuses the upgrade), it falls back to the URL in its data-live
// attribute (the route named entries.live, server-sent events). The
// server sends JSON; the page builds the entry with textContent, so no
// markup from the network is ever parsed.
(function () {
  "use strict";
  var list = document.getElementById("entries");
  var status = document.getElementById("live-status");
  if (!list || !(window.WebSocket || window.EventSource)) return;
  var url = list.getAttribute("data-live");
  // Only the first page shows the newest entries at its top.
  var firstPage = list.getAttribute("data-page") === "1";
  // The account logged in here, "0" for none: only an entry's author
  // gets its edit and delete buttons, as on the server's own pages.
  var viewer = list.getAttribute("data-viewer") || "0";

  var here = 0;
  var transport = "";
  function setStatus(live) {
    if (!status) return;
    status.classList.toggle("is-live", live);
    status.setAttribute("data-transport", live ? transport : "");
    var text = live ? "Live: new entries appear here" : "Reconnecting…";
    if (live && transport === "websocket" && here > 0) {
      text += " · " + here + (here === 1 ? " page" : " pages") + " open";
    }
    status.textContent = text;
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

  // The newest entry shown: a socket asks for what came after it, so an
  // entry posted while the page loaded or while the server was away is
  // not lost.
  var lastID = 0;
  Array.prototype.forEach.call(list.children, function (li) {
    var m = /^entry-(\d+)$/.exec(li.id || "");
    if (m && +m[1] > lastID) lastID = +m[1];
  });
  function show(e) {
    if (e.id > lastID) lastID = e.id;
    if (!firstPage || document.getElementById("entry-" + e.id)) return;
    var empty = document.getElementById("entries-empty");
    if (empty) empty.remove();
    list.insertBefore(render(e), list.firstChild);
  }

  function useEventSource() {
    if (!window.EventSource) return;
    transport = "sse";
    var source = new EventSource(url);
    source.onopen = function () { setStatus(true); };
    source.onerror = function () { setStatus(false); };
    source.addEventListener("entry", function (ev) {
      var e;
      try { e = JSON.parse(ev.data); } catch (err) { return; }
      show(e);
    });
  }

  // The WebSocket reconnects after the server closes it (1001 when it
  // restarts), waiting a little longer each time, up to 10 s. If no
  // socket has ever opened on this page, two failures in a row mean that
  // WebSocket does not get through (an old proxy, a policy): the page
  // falls back to server-sent events for good. Once one has opened, a
  // failure means the server is away, and the page keeps trying.
  var failures = 0;
  var everOpened = false;
  var delay = 500;
  function useWebSocket() {
    var scheme = location.protocol === "https:" ? "wss:" : "ws:";
    var socket;
    try {
      var since = firstPage ? "?since=" + lastID : "";
      socket = new WebSocket(scheme + "//" + location.host + "/ws/entries" + since);
    } catch (err) {
      useEventSource();
      return;
    }
    var opened = false;
    socket.onopen = function () {
      opened = true;
      everOpened = true;
      failures = 0;
      delay = 500;
      transport = "websocket";
      setStatus(true);
    };
    socket.onmessage = function (ev) {
      var m;
      try { m = JSON.parse(ev.data); } catch (err) { return; }
      if (m.type === "presence") {
        here = m.here;
        setStatus(true);
      } else if (m.type === "entry") {
        show(m);
      }
    };
    socket.onclose = function () {
      setStatus(false);
      if (!opened && !everOpened && ++failures >= 2) {
        useEventSource();
        return;
      }
      setTimeout(useWebSocket, delay);
      delay = Math.min(delay * 2, 10000);
    };
  }

  if (window.WebSocket) {
    useWebSocket();
  } else {
    useEventSource();
  }
})();
