"use strict";
// The local cluster (deploy/local/cluster.sh): three nodes behind haproxy with sticky sessions. Polling-only,
// websocket-only and upgrading clients all work through the balancer and receive every cross-node broadcast; a node
// that is stopped drains: its clients reconnect to the others and nothing it acknowledged is lost.
const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const { io } = require("socket.io-client");
const { once, waitFor } = require("./support/node");
const { startCluster, exited } = require("./support/cluster");

let cluster;
let url;
const sockets = [];

before(async () => {
  cluster = await startCluster({ DRAIN_WINDOW: "1500", DASHBOARD_INTERVAL: "500" });
  url = cluster.url;
});

after(async () => {
  // Close whole managers: a namespace socket left open would keep reconnecting to a stopped cluster forever.
  sockets.forEach((s) => {
    s.io.reconnection(false);
    s.disconnect();
    if (s.io.engine) s.io.engine.close();
  });
  if (cluster) await cluster.stop();
});

/** A client through the balancer; `node` is the node it is on (from the dashboard, which every node serves). */
async function client(transports, options = {}) {
  const socket = io(url, { transports, forceNew: true, withCredentials: true, reconnectionDelay: 200,
    reconnectionDelayMax: 500, ...options });
  sockets.push(socket);
  const upgraded = transports.length === 2
    ? once(socket.io, "open", 10000).then(() => once(socket.io.engine, "upgrade", 10000))
    : Promise.resolve();
  // Not left unhandled when the connect below fails first (that failure is the one reported).
  upgraded.catch(() => {});
  await once(socket, "connect", 10000);
  await upgraded;
  return socket;
}

/**
 * Counts the disconnections of `sockets` from now on: the function returned is true once each of them has dropped at
 * least once and is connected again (right after its node's exit, `connected` may still be the stale true).
 */
function droppedAndBack(sockets) {
  const drops = sockets.map(() => 0);
  sockets.forEach((socket, i) => socket.on("disconnect", () => drops[i]++));
  return () => sockets.every((socket, i) => drops[i] > 0 && socket.connected);
}

async function nodeOf(socket) {
  const dashboard = socket.io.socket("/dashboard");
  const [figures] = await once(dashboard, "dashboardUpdate");
  dashboard.disconnect();
  return figures.nodeId;
}

test("polling-only, websocket-only and upgrading clients all get every cross-node broadcast through the balancer", async () => {
  const kinds = [["polling"], ["websocket"], ["polling", "websocket"]];
  const clients = [];
  for (let i = 0; i < 30; i++) clients.push(await client(kinds[i % 3]));
  for (const socket of clients.filter((_, i) => i % 3 === 2)) assert.equal(socket.io.engine.transport.name, "websocket");
  const nodes = new Set(await Promise.all(clients.map(nodeOf)));
  assert.equal(nodes.size, 3, "clients are spread over the three nodes");

  const received = clients.map(() => []);
  clients.forEach((socket, i) => socket.on("chatToClient", (text) => received[i].push(text)));
  clients.forEach((socket, i) => socket.emit("chatToServer", `from ${i}`));
  await waitFor(() => received.every((list) => list.length === 30), 10000, "every client got 30 messages");
  const expected = clients.map((_, i) => `from ${i}`).sort();
  for (const list of received) assert.deepEqual([...list].sort(), expected);
  clients.forEach((socket) => socket.disconnect());
});

test("a draining node hands its clients over to the others, and what it acknowledged is delivered", async () => {
  const clients = [];
  for (let i = 0; i < 12; i++) clients.push(await client(i % 2 ? ["websocket"] : ["polling", "websocket"]));
  const placement = await Promise.all(clients.map(nodeOf));
  const victimNode = placement[0];
  const onVictim = clients.filter((_, i) => placement[i] === victimNode);
  const listener = clients.find((_, i) => placement[i] !== victimNode);
  const heard = new Set();
  listener.on("chatToClient", (text) => heard.add(text));

  // Clients of the node that stops keep sending; every message the node acknowledged must reach the listener.
  const acknowledged = [];
  let sending = true;
  const senders = onVictim.map(async (socket, s) => {
    for (let n = 0; sending && n < 200; n++) {
      const text = `victim-${s}-${n}`;
      try {
        await socket.timeout(1000).emitWithAck("chatToServer", text);
        acknowledged.push(text);
      } catch {
        // not acknowledged (the connection was being closed): no promise was made
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  });

  const gaps = onVictim.map((socket) => {
    let downAt = null;
    let longest = 0;
    socket.on("disconnect", () => (downAt = Date.now()));
    socket.on("connect", () => {
      longest = Math.max(longest, Date.now() - downAt);
      downAt = null;
    });
    return () => (downAt === null ? longest : Infinity);
  });

  const moved = droppedAndBack(onVictim);
  const pid = cluster.pidOf(victimNode);
  process.kill(pid, "SIGTERM");
  await exited(pid);
  await waitFor(moved, 10000, "every client of the drained node dropped and reconnected");
  sending = false;
  await Promise.all(senders);

  const newHomes = new Set(await Promise.all(onVictim.map(nodeOf)));
  assert.ok(!newHomes.has(victimNode), "they moved to the other nodes");
  for (const gap of gaps) assert.ok(gap() <= 3000, `a client was without a connection for ${gap()} ms`);
  assert.ok(acknowledged.length > 0);
  await waitFor(() => acknowledged.every((text) => heard.has(text)), 5000, "every acknowledged message was delivered");
});

test("a node killed with SIGKILL: its clients reconnect to the others and get their rooms back by joining again", async () => {
  await cluster.restore();
  const members = [];
  for (let i = 0; i < 9; i++) {
    const socket = io(`${url}/chat`, { transports: i % 2 ? ["websocket"] : ["polling", "websocket"], forceNew: true,
      withCredentials: true, reconnectionDelay: 200, reconnectionDelayMax: 500 });
    sockets.push(socket);
    // The features' normal join flow: join the room on every connection.
    socket.on("connect", () => socket.emit("joinRoom", "survivors"));
    await once(socket, "connect", 10000);
    members.push(socket);
  }
  const placement = await Promise.all(members.map(nodeOf));
  const victim = placement[0];
  const moved = droppedAndBack(members.filter((_, i) => placement[i] === victim));
  const pid = cluster.pidOf(victim);
  process.kill(pid, "SIGKILL");
  await exited(pid);

  await waitFor(() => moved() && members.every((socket) => socket.connected), 10000,
    "every client of the killed node dropped and reconnected, and the others are connected");
  const homes = await Promise.all(members.map(nodeOf));
  assert.ok(!homes.includes(victim), "nobody is on the killed node");

  // How many times each member heard each message. Every attempt is a message of its own: one whose ack timed out
  // may still have been delivered, and a retry of the same text would then look like a duplicate.
  const heard = members.map(() => new Map());
  members.forEach((socket, i) => socket.on("chatToClient", (m) => heard[i].set(m.message, (heard[i].get(m.message) || 0) + 1)));
  const toRoom = async (text) => {
    let last = "not sent";
    for (let attempt = 1; attempt <= 20; attempt++) {
      const message = `${text} (${attempt})`;
      try {
        const answer = await members[0].timeout(2000).emitWithAck("chatToRoom", { room: "survivors", message });
        if (answer && answer.sent) return message;
        last = `answered ${JSON.stringify(answer)}`;
      } catch (error) {
        last = error.message;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.fail(`the sender is back in the room: '${text}' not sent in 20 attempts, the last ${last}`);
  };
  const message = await toRoom("after the crash");
  await waitFor(() => heard.every((counts) => counts.get(message) >= 1), 5000, "every member got the message");
  // A duplicate would come after the first copy: a second message, once every member has it, shows none was on its
  // way behind the first.
  const marker = await toRoom("marker");
  await waitFor(() => heard.every((counts) => counts.get(marker) >= 1), 5000, "every member got the marker");
  heard.forEach((counts, i) => {
    for (const [text, count] of counts) assert.equal(count, 1, `member ${i} got '${text}' ${count} times`);
  });

  // Cluster requests do not wait for the dead node: the dashboard soon counts two nodes, with no timeout.
  const dashboard = io(`${url}/dashboard`, { forceNew: true, withCredentials: true });
  sockets.push(dashboard);
  const twoNodes = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no two-node update")), 5000);
    dashboard.on("dashboardUpdate", (update) => {
      if (update.nodes.length === 2) {
        clearTimeout(timer);
        resolve(update);
      }
    });
  });
  assert.ok(!twoNodes.nodes.some((node) => node.nodeId === victim));
});
