"use strict";
// HS256 tokens for the tests, signed with node's crypto (no JWT library needed for this much).
const crypto = require("node:crypto");

const base64url = (value) => Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");

function sign(claims, secret) {
  const header = base64url({ alg: "HS256", typ: "JWT" });
  const body = base64url(claims);
  const signature = crypto.createHmac("sha256", secret).update(`${header}.${body}`).digest("base64url");
  return `${header}.${body}.${signature}`;
}

/** A token for `sub`, valid for an hour unless `claims` say otherwise. */
function tokenFor(sub, secret, claims = {}) {
  const now = Math.floor(Date.now() / 1000);
  return sign({ sub, iat: now, exp: now + 3600, ...claims }, secret);
}

module.exports = { sign, tokenFor };
