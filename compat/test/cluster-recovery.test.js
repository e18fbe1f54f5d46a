"use strict";
// Connection state recovery on the local cluster (deploy/local: three nodes on the streams transport behind haproxy),
// official socket.io-client 4.8. Numbered messages go to rooms of /chat at a steady rate through the backend API
// while (a) every node is restarted in turn with SIGTERM, (b) a node is SIGKILLed, (c) some clients lose their
// network for 5 s. Every client ends with every message of its room exactly once and in order, and every one of its
// reconnections was a recovery.
const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const { io } = require("socket.io-client");
const { once, waitFor } = require("./support/node");
const { startCluster, exited } = require("./support/cluster");
const { flakyLink } = require("./support/flaky-link");

const ROOMS = ["room-a", "room-b", "room-c"];
const SEND_EVERY_MS = 30;

let cluster;
/**
 * Every client socket and relay made, from the moment it is made: a test that fails halfway (a client that did not
 * connect, a relay made before it) still closes them all, as does after(). Left open, sockets would keep reconnecting
 * through the next tests and hold the file open until its timeout.
 */
const openSockets = new Set();
const openLinks = new Set();

async function closeEverything() {
  for (const socket of openSockets) {
    socket.io.reconnection(false);
    socket.disconnect();
  }
  openSockets.clear();
  const links = [...openLinks];
  openLinks.clear();
  await Promise.all(links.map((link) => link.close()));
}

async function link(targetPort) {
  const made = await flakyLink(targetPort);
  openLinks.add(made);
  return made;
}

before(async () => {
  cluster = await startCluster({
    REDIS_ADAPTER: "streams", CONNECTION_STATE_RECOVERY: "true", DRAIN_WINDOW: "1500",
    // A silent network is noticed by both ends within 4 s (pingInterval + pingTimeout), inside a 5-s drop.
    PING_INTERVAL: "2000", PING_TIMEOUT: "2000",
  });
});

after(async () => {
  await closeEverything();
  if (cluster) await cluster.stop();
});

/**
 * A /chat client that joins its room once, on its first connection, and from then on relies on recovery: it counts
 * its reconnections and those that were not recovered, and keeps the numbers of the `tick`s of its room.
 */
async function member(url, room) {
  const socket = io(`${url}/chat`, { transports: ["websocket"], forceNew: true, withCredentials: true,
    reconnectionDelay: 200, reconnectionDelayMax: 1000, timeout: 3000 });
  openSockets.add(socket);
  const state = { socket, room, received: [], connections: 0, notRecovered: 0, drops: 0 };
  socket.on("tick", (tick) => state.received.push(tick.n));
  socket.on("disconnect", () => state.drops++);
  socket.on("connect", () => {
    if (state.connections++ > 0 && !socket.recovered) state.notRecovered++;
  });
  await once(socket, "connect", 10000);
  assert.deepEqual(await socket.timeout(5000).emitWithAck("joinRoom", room), { room, joined: true });
  return state;
}

/** Adds `count` members to `everyone`, which the caller holds before they are all made. */
async function addMembers(everyone, urls, count) {
  for (let i = 0; i < count; i++) everyone.push(await member(urls[i % urls.length], ROOMS[i % ROOMS.length]));
}

/**
 * Posts `tick {room, n}` to the rooms in turn through one node's backend API, every SEND_EVERY_MS, and keeps what was
 * accepted. Messages posted through two nodes could reach the stream out of order, so `via` moves to another node
 * only once the loop is parked between posts (none in flight through the old node) and what was posted through the
 * old one has reached a client.
 */
function startPosting(via, everyone) {
  const posted = Object.fromEntries(ROOMS.map((room) => [room, []]));
  const failures = [];
  let n = 0;
  let stopped = false;
  let ended = false;
  // While moveTo runs: { parked, resumed }; the loop sets `parked` when it waits for `resumed`, between two posts.
  let pause = null;
  const loop = (async () => {
    while (!stopped) {
      if (pause) {
        const current = pause;
        current.parked = true;
        await current.resumed;
        continue;
      }
      const room = ROOMS[n % ROOMS.length];
      const tick = { room, n: ++n };
      try {
        const response = await fetch(`${cluster.apiUrlOf(via)}/api/v1/emit`, { method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ namespace: "/chat", rooms: [room], event: "tick", data: tick }) });
        if (response.status === 202) posted[room].push(tick.n);
        else failures.push(`${via}: ${response.status} ${await response.text()}`);
      } catch (error) {
        failures.push(`${via}: ${error.message}`);
      }
      await new Promise((r) => setTimeout(r, SEND_EVERY_MS));
    }
  })().finally(() => (ended = true));
  const reachedSomeone = (room) => {
    const last = posted[room][posted[room].length - 1];
    return last === undefined || everyone.some((m) => m.room === room && m.received.includes(last));
  };
  return {
    posted,
    failures,
    get via() {
      return via;
    },
    async moveTo(nodeId) {
      let resume;
      const current = { parked: false, resumed: new Promise((r) => (resume = r)) };
      pause = current;
      try {
        // A post already under way goes on through `via`: it must have been answered (and counted) first.
        await waitFor(() => current.parked || ended, 15000, `the post in flight through ${via} answered`);
        await waitFor(() => ROOMS.every(reachedSomeone), 10000, `what was posted through ${via} reached a client`);
        via = nodeId;
      } finally {
        pause = null;
        resume();
      }
    },
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

const allConnected = (everyone) => waitFor(() => everyone.every((m) => m.socket.connected), 20000,
  "every client connected again");

/** Stops posting, then checks every client against what its room was sent, and that every reconnection recovered. */
async function expectEverythingOnceInOrder(poster, everyone) {
  await poster.stop();
  assert.deepEqual(poster.failures, [], "every post was accepted");
  await waitFor(() => everyone.every((m) => m.received.length >= poster.posted[m.room].length), 15000,
    "every client has as many ticks as its room was sent");
  for (const m of everyone) {
    assert.deepEqual(m.received, poster.posted[m.room], `ticks of a client of ${m.room}`);
    assert.equal(m.notRecovered, 0, `${m.notRecovered} of ${m.connections - 1} reconnections were not recovered`);
  }
}

test("a rolling restart of every node with SIGTERM: every client recovers each time and misses nothing", async () => {
  const everyone = [];
  let poster;
  try {
    await addMembers(everyone, [cluster.url], 30);
    poster = startPosting("node-3", everyone);
    await waitFor(() => ROOMS.every((room) => poster.posted[room].length >= 5), 5000, "ticks flowing");
    for (const nodeId of cluster.nodeIds) {
      if (poster.via === nodeId) await poster.moveTo(cluster.nodeIds.find((other) => other !== nodeId));
      const pid = cluster.pidOf(nodeId);
      process.kill(pid, "SIGTERM");
      await exited(pid);
      await cluster.restore();
      await allConnected(everyone);
    }
    await expectEverythingOnceInOrder(poster, everyone);
    for (const m of everyone) assert.ok(m.connections >= 2, "every client was on a node that restarted");
  } finally {
    if (poster) await poster.stop();
    await closeEverything();
  }
});

test("a node killed with SIGKILL: its clients recover on the others with everything they missed", async () => {
  await cluster.restore();
  const everyone = [];
  let poster;
  try {
    await addMembers(everyone, [cluster.url], 30);
    poster = startPosting("node-1", everyone);
    await waitFor(() => ROOMS.every((room) => poster.posted[room].length >= 5), 5000, "ticks flowing");
    const pid = cluster.pidOf("node-2");
    process.kill(pid, "SIGKILL");
    await exited(pid);
    await waitFor(() => everyone.some((m) => m.drops > 0), 5000, "the killed node's clients noticed");
    await allConnected(everyone);
    const moved = everyone.filter((m) => m.connections >= 2);
    assert.ok(moved.length > 0 && moved.length < everyone.length, `${moved.length} clients were on the killed node`);
    await expectEverythingOnceInOrder(poster, everyone);
  } finally {
    if (poster) await poster.stop();
    await closeEverything();
  }
});

test("clients whose network drops for 5 s recover with what they missed, beside clients that kept theirs", async () => {
  await cluster.restore();
  const lbPort = Number(new URL(cluster.url).port);
  const everyone = [];
  let poster;
  try {
    const links = await Promise.all(Array.from({ length: 12 }, () => link(lbPort)));
    await addMembers(everyone, links.map((l) => l.url), 24);
    poster = startPosting("node-1", everyone);
    await waitFor(() => ROOMS.every((room) => poster.posted[room].length >= 5), 5000, "ticks flowing");
    const dropped = links.filter((_, i) => i % 2 === 0);
    await Promise.all(dropped.map((link) => link.drop(5000)));
    await allConnected(everyone);
    // Members i and i + 12 share link i: the even links dropped.
    const cut = everyone.filter((_, i) => (i % links.length) % 2 === 0);
    for (const m of cut) assert.ok(m.drops >= 1 && m.connections >= 2, "a client behind a dropped link reconnected");
    for (const m of everyone.filter((x) => !cut.includes(x))) assert.equal(m.drops, 0, "a client behind a good link");
    await expectEverythingOnceInOrder(poster, everyone);
  } finally {
    if (poster) await poster.stop();
    await closeEverything();
  }
});
