// A generator worker process answers its parent's commands ({id, command, args}) with {id, result} or {id, error},
// and ends when the parent goes away. Shared by the bench, scale and storm workers.
"use strict";

function serveCommands(commands) {
  process.on("message", async ({ id, command, args }) => {
    try {
      process.send({ id, result: await commands[command](args || {}) });
    } catch (error) {
      process.send({ id, error: String(error && error.stack ? error.stack : error) });
    }
  });
  process.on("disconnect", () => process.exit(0));
}

module.exports = { serveCommands };
