"use strict";
// The benchmarks' CPU by thread role (bench/proc.js): a JVM starts and stops compiler threads while it runs, and a
// figure between two readings must neither lose an ended thread's time nor count a new thread's time twice.
const test = require("node:test");
const assert = require("node:assert/strict");
const { threadSpent, cpuReading, cpuSpent } = require("../bench/proc");

const reading = (threads) => new Map(Object.entries(threads).map(([tid, [role, seconds]]) => [tid, { role, seconds }]));

test("a thread listed in both readings counts its own difference", () => {
  const spent = threadSpent(reading({ 1: ["eventLoops", 10], 2: ["redis", 4] }), reading({ 1: ["eventLoops", 13], 2: ["redis", 5] }), 4);
  assert.deepEqual(spent, { eventLoops: 3, redis: 1, jit: 0, gc: 0, other: 0 });
});

test("a thread started between the readings counts from zero", () => {
  const spent = threadSpent(reading({ 1: ["eventLoops", 10] }), reading({ 1: ["eventLoops", 11], 7: ["jit", 2] }), 3);
  assert.equal(spent.jit, 2);
  assert.equal(spent.eventLoops, 1);
});

test("the time of a thread that ended between the readings goes to its role, never below zero", () => {
  // The compiler thread 7 had 5 s at the first reading and ended with 6.5 s: the process's total still holds them.
  const spent = threadSpent(reading({ 1: ["eventLoops", 10], 7: ["jit", 5] }), reading({ 1: ["eventLoops", 12] }), 3.5);
  assert.equal(spent.eventLoops, 2);
  assert.equal(spent.jit, 1.5);
  assert.ok(Object.values(spent).every((seconds) => seconds >= 0));
});

test("ended threads of several roles leave their time to other", () => {
  const spent = threadSpent(reading({ 1: ["eventLoops", 1], 7: ["jit", 5], 8: ["gc", 1] }), reading({ 1: ["eventLoops", 2] }), 3);
  assert.equal(spent.other, 2);
  assert.equal(spent.jit, 0);
});

test("a reading of this process adds up: its roles sum to its CPU", () => {
  const before = cpuReading([process.pid], { jvm: true });
  let x = 0;
  for (let i = 0; i < 2e7; i++) x += i % 7;
  const spent = cpuSpent(before, cpuReading([process.pid], { jvm: true }));
  assert.ok(x > 0);
  const byRole = Object.values(spent.byThread).reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(byRole - spent.cpuSeconds) <= 0.05, `roles ${byRole} s vs process ${spent.cpuSeconds} s`);
});
