"use strict";
const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const { io } = require("socket.io-client");
const { startNode, once } = require("./support/node");

let node;
before(async () => (node = await startNode()));
after(async () => node.stop());

test("the v4 handshake auth reaches the main namespace's connect handling", async () => {
  const socket = io(node.url, { auth: { token: "abc", n: 1 }, reconnection: false, forceNew: true });
  try {
    const [auth] = await once(socket, "auth");
    assert.deepEqual(auth, { token: "abc", n: 1 });
    const info = await socket.timeout(5000).emitWithAck("handshake");
    assert.deepEqual(info.auth, { token: "abc", n: 1 });
  } finally {
    socket.disconnect();
  }
});

test("each namespace sees the auth of its own CONNECT, over one multiplexed connection", async () => {
  const main = io(node.url, { auth: { token: "main" }, reconnection: false, forceNew: true });
  const custom = main.io.socket("/custom", { auth: { token: "custom" } });
  try {
    const [[mainAuth], [customAuth]] = await Promise.all([once(main, "auth"), once(custom, "auth")]);
    assert.deepEqual(mainAuth, { token: "main" });
    assert.deepEqual(customAuth, { token: "custom" });
    assert.equal(main.io.engine, custom.io.engine);
    custom.emit("message", "from custom");
    assert.deepEqual(await once(custom, "message-back"), ["from custom"]);
  } finally {
    custom.disconnect();
    main.disconnect();
  }
});

test("a refused connection gives a connect_error whose message and data say why", async () => {
  const socket = io(`${node.url}/private`, { auth: { token: "wrong" }, reconnection: false, forceNew: true });
  try {
    const [error] = await once(socket, "connect_error");
    assert.equal(error.message, "unauthorized");
    assert.deepEqual(error.data, { code: "unauthorized", reason: "bad token" });
  } finally {
    socket.disconnect();
  }
});

test("the right token is admitted to the same namespace", async () => {
  const socket = io(`${node.url}/private`, { auth: { token: "secret" }, reconnection: false, forceNew: true });
  try {
    assert.deepEqual(await once(socket, "welcome"), ["private"]);
  } finally {
    socket.disconnect();
  }
});

test("an unknown namespace gives a connect_error, not a hang", async () => {
  const socket = io(`${node.url}/does-not-exist`, { reconnection: false, forceNew: true });
  try {
    const [error] = await once(socket, "connect_error", 3000);
    assert.equal(error.message, "Invalid namespace");
  } finally {
    socket.disconnect();
  }
});
