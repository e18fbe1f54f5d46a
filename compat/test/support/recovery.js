"use strict";
// The check every recovery test ends with: the recovered socket got the news 1-5 it missed (2 before the cut, 3
// during it), kept its id, room r1 and data {n: 7}, and then receives news 6 live, exactly once and in order.
const assert = require("node:assert/strict");
const { waitFor } = require("./node");

async function expectMissedThenLive(socket, other, news, id) {
  await waitFor(() => news.length === 5, 5000, "missed news");
  const state = await socket.timeout(5000).emitWithAck("state");
  assert.equal(state.id, id);
  assert.ok(state.rooms.includes("r1"), `rooms ${state.rooms}`);
  assert.deepEqual(state.data, { n: 7 });

  await other.timeout(5000).emitWithAck("to-room", { room: "r1", event: "news", from: 6, count: 1 });
  await waitFor(() => news.length === 6, 5000, "live news");
  assert.deepEqual(news, [1, 2, 3, 4, 5, 6]);
}

module.exports = { expectMissedThenLive };
