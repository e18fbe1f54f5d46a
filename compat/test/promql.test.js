"use strict";
// Every PromQL expression of the Grafana dashboard and of the alert rules parses (Prometheus' own Lezer grammar).
const { test } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const YAML = require("yaml");
const { parser } = require("@prometheus-io/lezer-promql");

const grafana = path.resolve(__dirname, "../../grafana");

/** The positions where the grammar found an error in `expr` (none when it parses). */
function syntaxErrors(expr) {
  const errors = [];
  parser.parse(expr).iterate({
    enter: (node) => {
      if (node.type.isError) errors.push(node.from);
    },
  });
  return errors;
}

/** Grafana variables replaced as a query would be sent. */
const substituted = (expr) => expr.replaceAll("$__rate_interval", "1m").replaceAll("$namespace", "ns").replaceAll("$pod", "pod");

test("the grammar catches a broken expression (the check can fail)", () => {
  assert.notDeepEqual(syntaxErrors("sum(rate(socketio_connects_total[5m])"), []);
});

test("every dashboard panel query parses", () => {
  const dashboard = JSON.parse(fs.readFileSync(path.join(grafana, "dashboards/gateway.json"), "utf8"));
  const queries = dashboard.panels.flatMap((panel) => (panel.targets || []).map((t) => t.expr));
  assert.ok(queries.length > 40, `queries: ${queries.length}`);
  for (const query of queries) assert.deepEqual(syntaxErrors(substituted(query)), [], query);
  for (const variable of dashboard.templating.list.filter((v) => v.type === "query")) {
    const inner = /label_values\((.*),\s*\w+\)/.exec(variable.definition)[1];
    assert.deepEqual(syntaxErrors(substituted(inner)), [], variable.definition);
  }
});

test("every alert rule expression parses", () => {
  const rules = YAML.parse(fs.readFileSync(path.join(grafana, "alerts/gateway-alerts.yml"), "utf8"));
  const expressions = rules.groups.flatMap((group) => group.rules.map((rule) => rule.expr));
  assert.ok(expressions.length >= 7);
  for (const expr of expressions) assert.deepEqual(syntaxErrors(expr), [], expr);
});
