"use strict";
// The demo page in real headless Chromium (Debian's, driven by playwright-core), against the local three-node
// cluster behind its sticky balancer: chat across nodes, notifications to the right page only, the dashboard with
// every node, and a page that survives the loss of its node. Any console error fails the test. Screenshots go to
// compat/target/screenshots (build output, not committed).
const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { chromium } = require("playwright-core");
const { startCluster, exited } = require("./support/cluster");

const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const shots = path.resolve(__dirname, "../target/screenshots");
let cluster;
let browser;
const consoleErrors = [];

before(async () => {
  assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM} is missing (apt-get install chromium; .ci/run does it)`);
  fs.mkdirSync(shots, { recursive: true });
  cluster = await startCluster({ DRAIN_WINDOW: "1000" });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});

after(async () => {
  if (browser) await browser.close();
  if (cluster) await cluster.stop();
});

async function openPage(user) {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  page.on("console", (message) => message.type() === "error" && consoleErrors.push(`${user}: ${message.text()}`));
  page.on("pageerror", (error) => consoleErrors.push(`${user}: ${error}`));
  await page.goto(`${cluster.url}/?user=${user}`);
  await page.waitForFunction(() => document.body.dataset.state === "connected" && document.body.dataset.node, null, { timeout: 15000 });
  return page;
}

const nodeOf = (page) => page.evaluate(() => document.body.dataset.node);

async function joinRoom(page, room) {
  await page.fill("#room-name", room);
  await page.click("#join-form button");
  await page.waitForSelector(`#message-room option[value="${room}"]`, { state: "attached" });
}

async function say(page, text) {
  await page.fill("#message-text", text);
  await page.click("#message-form button");
}

const seen = (page, list, text) => page.waitForFunction(([selector, wanted]) =>
  [...document.querySelectorAll(`${selector} li`)].some((li) => li.textContent.includes(wanted)), [list, text], { timeout: 10000 });

test("two pages on different nodes chat, get their own notifications, see every node, and survive losing a node", async () => {
  const alice = await openPage("alice");
  let bob = await openPage("bob");
  for (let attempt = 0; (await nodeOf(bob)) === (await nodeOf(alice)) && attempt < 8; attempt++) {
    await bob.context().close();
    bob = await openPage("bob");
  }
  const aliceNode = await nodeOf(alice);
  assert.notEqual(await nodeOf(bob), aliceNode, "the two pages are on different nodes");
  assert.match(await alice.textContent("#transport"), /^(polling|websocket)$/);

  await joinRoom(alice, "demo");
  await joinRoom(bob, "demo");
  await say(alice, "hello bob, from another node");
  await seen(bob, "#messages", "hello bob, from another node");
  await say(bob, "hi alice");
  await seen(alice, "#messages", "hi alice");

  await bob.fill("#notify-user", "alice");
  await bob.fill("#notify-text", "for alice only");
  await bob.click("#notify-form button");
  await seen(alice, "#notification-list", "for alice only");
  await bob.fill("#notify-user", "bob");
  await bob.fill("#notify-text", "for bob");
  await bob.click("#notify-form button");
  await seen(bob, "#notification-list", "for bob");
  assert.deepEqual(await bob.$$eval("#notification-list li", (items) => items.map((li) => li.textContent.includes("for alice only"))), [false]);

  await alice.waitForFunction(() => document.querySelectorAll("#node-rows tr").length === 3, null, { timeout: 15000 });
  const rows = await alice.$$eval("#node-rows tr td:first-child", (cells) => cells.map((c) => c.textContent).sort());
  assert.deepEqual(rows, ["node-1", "node-2", "node-3"]);
  assert.equal(await alice.textContent("#total-nodes"), "3");
  await alice.screenshot({ path: path.join(shots, "alice.png"), fullPage: true });
  await bob.screenshot({ path: path.join(shots, "bob.png"), fullPage: true });

  const pid = cluster.pidOf(aliceNode);
  process.kill(pid, "SIGTERM");
  await exited(pid);
  await alice.waitForFunction((gone) => document.body.dataset.state === "connected" && document.body.dataset.node
    && document.body.dataset.node !== gone, aliceNode, { timeout: 15000 });
  await say(alice, "still here after my node left");
  await seen(bob, "#messages", "still here after my node left");
  await alice.screenshot({ path: path.join(shots, "alice-after-failover.png"), fullPage: true });

  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
  const small = await phone.newPage();
  small.on("console", (message) => message.type() === "error" && consoleErrors.push(`phone: ${message.text()}`));
  await small.goto(`${cluster.url}/?user=carol`);
  await small.waitForFunction(() => document.body.dataset.state === "connected", null, { timeout: 15000 });
  const overflow = await small.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `no horizontal scrolling on a phone (overflow ${overflow}px)`);
  await small.screenshot({ path: path.join(shots, "phone.png") });

  assert.deepEqual(consoleErrors, []);
});
