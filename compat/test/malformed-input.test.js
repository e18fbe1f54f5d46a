"use strict";
const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const { io } = require("socket.io-client");
const WebSocket = require("ws");
const { startNode, once } = require("./support/node");

let node;
let witness; // a well-behaved client connected throughout
before(async () => {
  node = await startNode("--pingInterval=25000", "--pingTimeout=20000");
  witness = io(node.url, { reconnection: false });
  await once(witness, "connect");
});
after(async () => {
  witness.disconnect();
  await node.stop();
});

async function witnessStillServed() {
  const token = Math.random().toString(36);
  witness.emit("message", token);
  assert.deepEqual(await once(witness, "message-back"), [token]);
  assert.equal(witness.connected, true);
}

/** The first message of `ws` for which `matches(text)` holds, or a rejection after `ms`. */
function message(ws, matches, ms = 5000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      ws.off("message", onMessage);
      reject(new Error(`no matching message within ${ms} ms`));
    }, ms);
    function onMessage(data) {
      const text = data.toString();
      if (!matches(text)) return;
      clearTimeout(timer);
      ws.off("message", onMessage);
      resolve(text);
    }
    ws.on("message", onMessage);
  });
}

const badPackets = {
  "unknown Engine.IO packet type": "9",
  "unknown Socket.IO packet type": "47",
  "bad JSON": '42["message",',
  "not an array": '42{"a":1}',
  "reserved event name": '42["disconnect"]',
  "namespace without leading slash": "42custom,[\"message\"]",
  "attachment count without attachments then text": '451-["message",{"_placeholder":true,"num":0}]',
  "binary event without attachments": '450-["message"]',
  "connect error from a client": '44{"message":"x"}',
};

for (const [name, packet] of Object.entries(badPackets)) {
  test(`websocket: ${name} closes only that session`, async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${node.port}/socket.io/?EIO=4&transport=websocket`);
    const connected = message(ws, (text) => text.startsWith("40"));
    await once(ws, "open");
    ws.send("40");
    // The namespace's CONNECT answer (not the Engine.IO open packet that comes first): the session is served.
    await connected;
    ws.send(packet);
    if (packet.startsWith("451-")) ws.send('42["text while an attachment is due"]');
    await once(ws, "close", 3000);
    await witnessStillServed();
  });
}

async function get(path, method = "GET", body) {
  const response = await fetch(`${node.url}${path}`, { method, body });
  return { status: response.status, body: await response.text(), type: response.headers.get("content-type") };
}

test("HTTP: invalid EIO, unknown transport, bogus sid and wrong methods are refused with JSON 400s", async () => {
  const cases = [
    ["/socket.io/?transport=polling", "GET", 5],
    ["/socket.io/?EIO=9&transport=polling", "GET", 5],
    ["/socket.io/?EIO=4&transport=carrier-pigeon", "GET", 0],
    ["/socket.io/?EIO=4&transport=polling&sid=bogus", "GET", 1],
    ["/socket.io/?EIO=4&transport=polling&sid=bogus", "POST", 1],
    ["/socket.io/?EIO=4&transport=polling", "POST", 2],
    ["/socket.io/?EIO=4&transport=polling", "PUT", 2],
    ["/socket.io/?EIO=4&transport=websocket", "GET", 3],
  ];
  for (const [path, method, code] of cases) {
    const answer = await get(path, method, method === "GET" ? undefined : "40");
    assert.equal(answer.status, 400, `${method} ${path}`);
    assert.equal(JSON.parse(answer.body).code, code, `${method} ${path}`);
    assert.match(answer.type, /application\/json/);
  }
  await witnessStillServed();
});

test("HTTP: a garbage polling body ends that session only", async () => {
  const open = await get("/socket.io/?EIO=4&transport=polling");
  const sid = JSON.parse(open.body.slice(1)).sid;
  const answer = await get(`/socket.io/?EIO=4&transport=polling&sid=${sid}`, "POST", "\u0000\u00ff garbage");
  assert.equal(answer.status, 400);
  assert.equal((await get(`/socket.io/?EIO=4&transport=polling&sid=${sid}`)).status, 400);
  await witnessStillServed();
});
