"use strict";
// The container image, built without a Docker daemon (deploy/image/build.sh), unpacked from its OCI archive, and
// run as its config says (entrypoint, user, environment) in a chroot of its root filesystem: it must start the node
// and answer a Socket.IO handshake.
const { test, after } = require("node:test");
const assert = require("node:assert/strict");
const { execFileSync, spawn, spawnSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { freePorts } = require("./support/ports");

const root = path.resolve(__dirname, "../..");
const work = fs.mkdtempSync(path.join(os.tmpdir(), "image-"));
let node;

after(() => {
  if (node && node.exitCode === null) node.kill("SIGKILL");
  fs.rmSync(work, { recursive: true, force: true });
});


test("the image's entrypoint starts the node, which answers a Socket.IO handshake", { timeout: 180000 }, async () => {
  const archive = path.join(work, "gateway-oci.tar");
  execFileSync("bash", [path.join(root, "deploy/image/build.sh"), archive], { stdio: "inherit", timeout: 170000 });

  const layout = path.join(work, "layout");
  fs.mkdirSync(layout);
  execFileSync("tar", ["-xf", archive, "-C", layout]);
  const index = JSON.parse(fs.readFileSync(path.join(layout, "index.json"), "utf8"));
  const tag = index.manifests[0].annotations["org.opencontainers.image.ref.name"];
  const bundle = path.join(work, "bundle");
  execFileSync("umoci", ["unpack", "--image", `${layout}:${tag}`, bundle]);
  const spec = JSON.parse(fs.readFileSync(path.join(bundle, "config.json"), "utf8"));
  assert.deepEqual(spec.process.args, ["/opt/java/bin/java", "-jar", "/app/gateway.jar"]);
  assert.equal(spec.process.user.uid, 10001, "runs as a non-root user");

  const [port, managementPort] = await freePorts(2);
  const env = Object.fromEntries(spec.process.env.map((entry) => entry.split(/=(.*)/s).slice(0, 2)));
  const chroot = execFileSync("sh", ["-c", "command -v chroot"], { encoding: "utf8" }).trim();
  const user = `--userspec=${spec.process.user.uid}:${spec.process.user.gid}`;

  // The runtime maps its class-data-sharing archive (-Xshare:on refuses to start without it): a faster start.
  const version = spawnSync(chroot, [user, path.join(bundle, "rootfs"), spec.process.args[0], "-Xshare:on", "-version"],
    { env, encoding: "utf8" });
  assert.equal(version.status, 0, version.stderr);
  assert.match(version.stderr, /sharing/);
  node = spawn(chroot, [user, path.join(bundle, "rootfs"),
    ...spec.process.args], {
    env: { ...env, SOCKETIO_HOST: "127.0.0.1", SOCKETIO_PORT: String(port), MANAGEMENT_PORT: String(managementPort) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  node.stdout.on("data", (chunk) => (output += chunk));
  node.stderr.on("data", (chunk) => (output += chunk));

  const deadline = Date.now() + 60000;
  let body = null;
  while (body === null) {
    assert.ok(Date.now() < deadline, `no handshake answer within 60 s:\n${output}`);
    assert.equal(node.exitCode, null, `the node exited:\n${output}`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/socket.io/?EIO=4&transport=polling`);
      body = await response.text();
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  assert.match(body, /^0\{"sid":"[^"]+","upgrades":\["websocket"\]/);
  const ready = await fetch(`http://127.0.0.1:${managementPort}/health/ready`);
  assert.equal(ready.status, 200);
  node.kill("SIGTERM");
  await new Promise((resolve) => node.on("exit", resolve));
});
