"use strict";
// The live demo: chat rooms (/chat), your notifications (/), the cluster dashboard (/dashboard), over one
// connection managed by the official socket.io-client. Everything is rendered with textContent (no HTML injection).
(function () {
  const $ = (id) => document.getElementById(id);
  const params = new URLSearchParams(location.search);
  const userId = params.get("user") || sessionStorage.getItem("demo-user") || "user-" + Math.random().toString(36).slice(2, 7);
  sessionStorage.setItem("demo-user", userId);
  const token = params.get("token");
  const auth = token ? { token } : { userId };

  const manager = new io.Manager(location.origin, { withCredentials: true, reconnectionDelay: 300, reconnectionDelayMax: 2000 });
  const main = manager.socket("/", { auth });
  const chat = manager.socket("/chat", { auth });
  const dashboard = manager.socket("/dashboard", { auth });
  const joined = new Set();
  let nodeId = null;

  $("user").textContent = userId;
  $("notify-user").value = userId;

  function setState(state) {
    $("state").textContent = state;
    $("state").dataset.state = state;
    document.body.dataset.state = state;
  }

  function showTransport() {
    const name = manager.engine && manager.engine.transport ? manager.engine.transport.name : "…";
    $("transport").textContent = name;
    document.body.dataset.transport = name;
  }

  manager.on("open", () => {
    showTransport();
    manager.engine.on("upgrade", showTransport);
  });
  manager.on("reconnect_attempt", () => setState("reconnecting"));
  main.on("connect", () => {
    setState("connected");
    showTransport();
    main.timeout(5000).emitWithAck("subscribeToNotifications").then((answer) => {
      $("subscription").textContent = answer && answer.subscribed
        ? "Subscribed as " + answer.subscribed + "." : "Not subscribed: " + describe(answer);
    }, () => ($("subscription").textContent = "Subscription timed out."));
  });
  main.on("disconnect", () => setState(manager._reconnecting ? "reconnecting" : "disconnected"));
  main.on("notification", (body) => {
    const text = body && typeof body === "object" ? body.message || JSON.stringify(body) : String(body);
    addLine($("notification-list"), new Date().toLocaleTimeString(), text);
  });

  // Chat: rooms live on the server; after a reconnect (maybe to another node) the client joins them again.
  chat.on("connect", () => joined.forEach((room) => chat.emit("joinRoom", room)));
  chat.on("chatToClient", (m) => addLine($("messages"), "#" + m.room + " " + m.from.slice(0, 12), m.message));
  chat.on("exception", (e) => addLine($("messages"), "error", e.message));

  $("join-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const room = $("room-name").value.trim();
    chat.timeout(5000).emitWithAck("joinRoom", room).then((answer) => {
      if (answer && answer.joined) {
        joined.add(room);
        renderRooms();
      } else {
        addLine($("messages"), "error", describe(answer));
      }
    }, () => addLine($("messages"), "error", "join timed out"));
  });

  $("message-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const room = $("message-room").value;
    const message = $("message-text").value;
    chat.timeout(5000).emitWithAck("chatToRoom", { room, message }).then((answer) => {
      if (answer && answer.sent) {
        $("message-text").value = "";
      } else {
        addLine($("messages"), "error", describe(answer));
      }
    }, () => addLine($("messages"), "error", "send timed out"));
  });

  function renderRooms() {
    const list = $("rooms");
    const select = $("message-room");
    list.replaceChildren();
    select.replaceChildren();
    joined.forEach((room) => {
      const item = document.createElement("li");
      item.append(document.createTextNode("#" + room));
      const leave = document.createElement("button");
      leave.type = "button";
      leave.textContent = "×";
      leave.setAttribute("aria-label", "Leave " + room);
      leave.addEventListener("click", () => {
        chat.emit("leaveRoom", room);
        joined.delete(room);
        renderRooms();
      });
      item.append(leave);
      list.append(item);
      const option = document.createElement("option");
      option.value = room;
      option.textContent = "#" + room;
      select.append(option);
    });
  }

  $("notify-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const target = $("notify-user").value.trim();
    const result = $("notify-result");
    try {
      const response = await fetch("demo/notifications/" + encodeURIComponent(target), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ message: $("notify-text").value, from: userId }),
      });
      const body = await response.json();
      result.classList.toggle("error", !response.ok);
      result.textContent = response.ok ? "Sent to " + target + "." : describe(body);
    } catch (e) {
      result.classList.add("error");
      result.textContent = "The request failed.";
    }
  });

  dashboard.on("dashboardUpdate", (figures) => {
    nodeId = figures.nodeId;
    $("node").textContent = nodeId;
    document.body.dataset.node = nodeId;
    const cluster = figures.cluster || {};
    $("total-nodes").textContent = cluster.nodeCount ?? 1;
    $("total-connections").textContent = cluster.totalConnections ?? figures.totalConnections;
    $("total-in").textContent = cluster.eventsInPerSecond ?? figures.eventsInPerSecond;
    $("total-out").textContent = cluster.eventsOutPerSecond ?? figures.eventsOutPerSecond;
    const rows = $("node-rows");
    rows.replaceChildren();
    (figures.nodes || [figures]).forEach((node) => {
      const row = document.createElement("tr");
      if (node.nodeId === nodeId) row.className = "self";
      const rooms = Object.values(node.rooms || {}).reduce((a, b) => a + b, 0);
      [node.nodeId, node.totalConnections, rooms, node.eventsInPerSecond, node.eventsOutPerSecond, uptime(node.uptimeSeconds)]
        .forEach((value) => {
          const cell = document.createElement("td");
          cell.textContent = value ?? "–";
          row.append(cell);
        });
      rows.append(row);
    });
  });

  function addLine(list, meta, text) {
    const item = document.createElement("li");
    const label = document.createElement("span");
    label.className = "meta";
    label.textContent = meta;
    item.append(label, document.createTextNode(text));
    list.append(item);
    list.scrollTop = list.scrollHeight;
  }

  function describe(answer) {
    return answer && answer.error ? answer.error.message : "unexpected answer";
  }

  function uptime(seconds) {
    if (seconds == null) return "–";
    return seconds < 120 ? seconds + " s" : Math.round(seconds / 60) + " min";
  }
})();
