"use strict";
// A TCP relay on 127.0.0.1 in front of a port, whose link a test can cut as a mobile network goes away: during a
// drop nothing passes either way on the connections it holds (neither data nor their closing) and new connections
// are reset at once; when the drop ends, the connections it silenced are reset, as the peers' retransmissions would
// find them by then.
const net = require("node:net");

const reset = (socket) => socket.destroyed || socket.resetAndDestroy();

/** Resolves to { url, drop(ms), close() } relaying to 127.0.0.1:`targetPort`. */
async function flakyLink(targetPort) {
  const open = new Set();
  let downUntil = 0;
  const server = net.createServer((client) => {
    client.on("error", () => {});
    if (Date.now() < downUntil) {
      reset(client);
      return;
    }
    const pair = { client, upstream: net.connect(targetPort, "127.0.0.1"), silenced: false };
    pair.upstream.on("error", () => {});
    open.add(pair);
    const relay = (from, to) => {
      from.on("data", (chunk) => pair.silenced || to.write(chunk));
      from.on("close", () => {
        if (!pair.silenced) to.destroy();
        open.delete(pair);
      });
    };
    relay(client, pair.upstream);
    relay(pair.upstream, client);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const timers = new Set();
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    /** Cuts the link for `ms`; resolves when it is back. */
    drop(ms) {
      downUntil = Date.now() + ms;
      const silenced = [...open];
      silenced.forEach((pair) => (pair.silenced = true));
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          silenced.forEach((pair) => {
            reset(pair.client);
            reset(pair.upstream);
          });
          resolve();
        }, ms);
        timers.add(timer);
      });
    },
    close() {
      timers.forEach(clearTimeout);
      open.forEach((pair) => {
        pair.client.destroy();
        pair.upstream.destroy();
      });
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

module.exports = { flakyLink };
