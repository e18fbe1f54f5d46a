"use strict";
const { test } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { Parser } = require("@asyncapi/parser");

const document = path.resolve(__dirname, "../../gateway/asyncapi.yaml");

test("gateway/asyncapi.yaml is a valid AsyncAPI 3 document", async () => {
  const parser = new Parser();
  const { document: parsed, diagnostics } = await parser.parse(fs.readFileSync(document, "utf8"));
  const errors = diagnostics.filter((d) => d.severity === 0);
  assert.deepEqual(errors.map((e) => `${e.path.join(".")}: ${e.message}`), []);
  assert.ok(parsed, "parsed");
  assert.equal(parsed.version(), "3.0.0");
  const addresses = parsed.channels().all().map((c) => c.address()).sort();
  assert.deepEqual(addresses, ["/", "/chat", "/dashboard"]);
});
