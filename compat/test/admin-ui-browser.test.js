"use strict";
// The Socket.IO Admin UI served by the nodes (/admin-ui/), in real headless Chromium (Debian's, driven by
// playwright-core), against the local three-node cluster behind its sticky balancer with ADMIN_UI=development, plus
// one read-only node of its own. Any console error, and any request to another host (the UI's page asks Google Fonts
// and jsDelivr; the node serves copies), fails the test. Screenshots go to compat/target/screenshots/admin-ui.
const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { chromium } = require("playwright-core");
const bcrypt = require("bcryptjs");
const { io: connect } = require("socket.io-client");
const { startCluster } = require("./support/cluster");
const { startNode, once, waitFor } = require("./support/node");

const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const shots = path.resolve(__dirname, "../target/screenshots/admin-ui");
const PASSWORD = "correct horse battery staple";
const SETTINGS = { ADMIN_UI_USERNAME: "admin", ADMIN_UI_PASSWORD_HASH: bcrypt.hashSync(PASSWORD, 4) };
let cluster;
let nodes;
let readonly;
let browser;
const problems = [];
const sockets = [];

before(async () => {
  assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM} is missing (apt-get install chromium; .ci/run does it)`);
  fs.mkdirSync(shots, { recursive: true });
  // Clients are also put on each node directly, so the nodes take connections without a PROXY header.
  cluster = await startCluster({ ADMIN_UI: "development", DRAIN_WINDOW: "1000", LOCAL_PROXY_PROTOCOL: "false", ...SETTINGS });
  // The balancer's configuration names each node's ports: the test puts clients on each node directly.
  const config = fs.readFileSync(path.join(cluster.runDir, "haproxy.cfg"), "utf8");
  nodes = [...config.matchAll(/server (node-\d) 127\.0\.0\.1:(\d+) cookie \S+ check port (\d+)/g)]
    .map(([, id, port, managementPort]) => ({ id, url: `http://127.0.0.1:${port}`, apiUrl: `http://127.0.0.1:${managementPort}` }));
  assert.equal(nodes.length, 3);
  readonly = await startNode("--product", "--nodeId=read-only", { ADMIN_UI: "development", ADMIN_UI_READONLY: "true", ...SETTINGS });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});

after(async () => {
  sockets.forEach((s) => s.disconnect());
  if (browser) await browser.close();
  if (readonly) await readonly.stop();
  if (cluster) await cluster.stop();
});

async function client(url, options = {}) {
  const socket = connect(url, { reconnection: false, forceNew: true, transports: ["websocket"], ...options });
  sockets.push(socket);
  await once(socket, "connect", 10000);
  return socket;
}

async function openUi(url, name) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const origin = new URL(url).origin;
  page.on("console", (message) => message.type() === "error" && problems.push(`${name}: ${message.text()}`));
  page.on("pageerror", (error) => problems.push(`${name}: ${error}`));
  page.on("request", (request) => !request.url().startsWith(origin) && !request.url().startsWith("data:")
    && problems.push(`${name}: request to ${request.url()}`));
  await page.goto(`${url}/admin-ui/`);
  await page.getByText("Connection", { exact: true }).waitFor({ timeout: 15000 });
  return page;
}

async function logIn(page, url, password) {
  await page.getByLabel("Server URL").fill(url);
  await page.getByLabel("Username").fill("admin");
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Connect" }).click();
}

async function shot(page, name) {
  // Page transitions fade: the picture is taken once they are over.
  await page.evaluate(() => Promise.all(document.getAnimations().map((animation) => animation.finished.catch(() => {}))));
  await page.screenshot({ path: path.join(shots, `${name}.png`) });
}
async function connected(page) {
  try {
    await page.locator("header .v-chip", { hasText: /^\s*connected\s*$/i }).first().waitFor({ timeout: 15000 });
  } catch (error) {
    await shot(page, "failed-to-connect");
    throw error;
  }
}

async function goTo(page, menu) {
  await page.locator(".v-navigation-drawer").getByText(menu, { exact: true }).click();
}

test("the UI logs in, shows the three nodes and their sockets, joins and disconnects across nodes, and logs in again after a reload", async () => {
  const onNode = [];
  onNode.push(await client(nodes[0].url));
  onNode.push(await client(nodes[1].url));
  onNode.push(await client(nodes[2].url, { transports: ["polling"] }));

  const page = await openUi(cluster.url, "ui");
  await logIn(page, cluster.url, "not the password");
  await page.getByText("Invalid credentials").waitFor({ timeout: 10000 });
  await shot(page, "1-invalid-credentials");

  await logIn(page, cluster.url, PASSWORD);
  await connected(page);
  const uiNode = (await page.context().cookies()).find((c) => c.name === "SRV")?.value;
  await goTo(page, "Servers");
  for (const node of nodes) {
    await page.locator("tr", { hasText: node.id }).getByText("Healthy").waitFor({ timeout: 10000 });
  }
  await shot(page, "2-servers");

  await goTo(page, "Sockets");
  for (const [i, socket] of onNode.entries()) {
    const row = page.locator("tr", { hasText: socket.id });
    await row.waitFor({ timeout: 10000 });
    assert.equal((await row.locator(".v-chip").textContent()).trim(), i === 2 ? "HTTP long-polling" : "WebSocket");
  }
  await shot(page, "3-sockets");

  // A socket of a node the UI is not connected to joins a room; then the room's messages reach it.
  const index = nodes.findIndex((node) => node.id !== uiNode);
  const target = onNode[index];
  await page.locator("tr", { hasText: target.id }).locator("td").first().click();
  await page.getByText("Socket details").waitFor();
  await page.getByLabel("Join a room").fill("vip");
  await page.locator("button:has(.mdi-tag-plus-outline)").click();
  await page.locator(".v-card", { hasText: "Rooms" }).getByText("vip", { exact: true }).waitFor({ timeout: 10000 });
  await shot(page, "4-joined");
  const news = once(target, "news", 10000);
  const sent = await fetch(`${nodes[(index + 1) % 3].apiUrl}/api/v1/emit`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ namespace: "/", rooms: ["vip"], event: "news", data: { for: "vip" } }),
  });
  assert.equal(sent.status, 202);
  assert.deepEqual(await news, [{ for: "vip" }]);

  // Disconnecting another node's socket from the sockets page.
  const victim = onNode[(index + 1) % 3];
  const victimId = victim.id;
  const gone = once(victim, "disconnect", 10000);
  await goTo(page, "Sockets");
  await page.locator("tr", { hasText: victimId }).locator("button").click();
  assert.equal((await gone)[0], "io server disconnect");
  await goTo(page, "Sockets");
  await waitFor(async () => (await page.locator("tr", { hasText: victimId }).count()) === 0, 10000, "the socket gone from the list");
  await shot(page, "5-after-disconnect");

  await page.reload();
  await connected(page);
  await goTo(page, "Servers");
  await page.locator("tr", { hasText: nodes[0].id }).waitFor({ timeout: 10000 });
  await shot(page, "6-after-reload");
  await goTo(page, "Dashboard");
  await page.locator(".v-card", { hasText: "Servers" }).getByText("100.0 %").waitFor({ timeout: 10000 });
  await shot(page, "7-dashboard");
  assert.deepEqual(problems, []);
});

test("a read-only node's UI offers no disconnect, and the node refuses a join from the UI and commands sent by hand", async () => {
  const mine = await client(readonly.url);
  const page = await openUi(readonly.url, "read-only");
  await logIn(page, readonly.url, PASSWORD);
  await connected(page);
  await goTo(page, "Sockets");
  const row = page.locator("tr", { hasText: mine.id });
  await row.waitFor({ timeout: 10000 });
  assert.equal(await row.locator("button").count(), 0, "no disconnect button");
  await row.locator("td").first().click();
  await page.getByText("Socket details").waitFor();
  assert.equal(await page.locator("button:has(.mdi-logout)").count(), 0, "no disconnect button on the details page");
  // The UI 0.5.1 keeps its join field in read-only mode (against Node's instrument() too); the node ignores the command.
  await page.getByLabel("Join a room").fill("ro-room");
  await page.locator("button:has(.mdi-tag-plus-outline)").click();
  await shot(page, "8-read-only");

  // The commands the buttons would send, sent by hand: nothing changes. A "/" socket on the admin socket's
  // connection keeps it open while the admin namespace connects again below.
  const admin = connect(`${readonly.url}/admin`, { forceNew: true, reconnection: false, auth: { username: "admin", password: PASSWORD } });
  sockets.push(admin);
  const keeper = admin.io.socket("/");
  sockets.push(keeper);
  // In development mode the node sends the admin socket every socket at connect (all_sockets).
  const listedAtConnect = once(admin, "all_sockets", 10000);
  await Promise.all([once(admin, "connect", 10000), once(keeper, "connect", 10000)]);
  const [listedBefore] = await listedAtConnect;
  assert.ok(listedBefore.some((socket) => socket.id === mine.id && socket.nsp === "/"), "the listing shows the socket");
  let disconnected = false;
  let leaked = false;
  mine.on("disconnect", () => (disconnected = true));
  mine.on("leak", () => (leaked = true));
  admin.emit("_disconnect", "/", true, mine.id);
  admin.emit("join", "/", "ro-room", mine.id);
  // The barrier: the admin namespace connects again on the same connection, after the commands; the listing it
  // gets is taken once the node has read them.
  admin.disconnect();
  const listedAgain = once(admin, "all_sockets", 10000);
  admin.connect();
  const [listedAfter] = await listedAgain;
  const listed = listedAfter.find((socket) => socket.id === mine.id && socket.nsp === "/");
  assert.ok(listed, "the socket is still there after the commands");
  assert.ok(!listed.rooms.includes("ro-room"), `the socket's rooms: ${listed.rooms}`);

  const emit = (body) => fetch(`${readonly.apiUrl}/api/v1/emit`, {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ namespace: "/", ...body }),
  });
  // A message to the room, then one to the socket's own room (the positive control: an emit to a room it is in
  // reaches it); once the second arrives, the first would have too.
  const marker = once(mine, "marker", 10000);
  assert.equal((await emit({ rooms: ["ro-room"], event: "leak", data: 1 })).status, 202);
  assert.equal((await emit({ rooms: [mine.id], event: "marker", data: 1 })).status, 202);
  assert.deepEqual(await marker, [1]);
  assert.equal(leaked, false, "the socket did not join the room");
  assert.equal(disconnected, false, "the socket was not disconnected");
  assert.equal(mine.connected, true);
  assert.deepEqual(problems, []);
});
