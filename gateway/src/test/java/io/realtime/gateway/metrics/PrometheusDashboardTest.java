package io.realtime.gateway.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.realtime.cluster.testing.Commands;
import io.realtime.cluster.testing.RedisFixture;
import io.realtime.gateway.testing.ProductNode;
import io.realtime.gateway.testing.ProductNode.Client;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Grafana dashboard and the alert rules are proven against a real Prometheus (Debian's package) scraping two
 * real nodes clustered through Redis while clients generate traffic: every panel query and every alert query
 * returns series of its own (a trailing {@code or vector(0)} dropped), each with a value for every label the query
 * groups by. promtool checks and unit-tests the rules.
 */
class PrometheusDashboardTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path GRAFANA = Path.of("..", "grafana").toAbsolutePath().normalize();
    private static final Pattern COMPARISON = Pattern.compile("^(.*?)\\s*(==|!=|>=|<=|>|<)\\s*[0-9.]+$", Pattern.DOTALL);
    private static final Pattern FALLBACK = Pattern.compile("^(.*?)\\s+or\\s+vector\\(0\\)$", Pattern.DOTALL);
    private static final Pattern GROUPING = Pattern.compile("\\bby\\s*\\(([^)]*)\\)");

    @TempDir
    static Path work;
    private static ProductNode nodeA;
    private static ProductNode nodeB;
    private static Process prometheus;
    private static URI prometheusUri;
    private static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        Map<String, String> env = Map.of("REDIS_URL", RedisFixture.shared().uri());
        String key = "--redisKey=metrics-" + UUID.randomUUID();
        nodeA = ProductNode.start(env, key, "--nodeId=node-a", "--dashboardInterval=500", "--pingInterval=25000");
        nodeB = ProductNode.start(env, key, "--nodeId=node-b", "--dashboardInterval=500", "--pingInterval=25000");
        int port = freePort();
        Path config = work.resolve("prometheus.yml");
        Files.writeString(config, """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                rule_files:
                  - %s
                scrape_configs:
                  - job_name: socketio-gateway
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                        labels: {namespace: gateway-test, pod: node-a}
                      - targets: ['127.0.0.1:%d']
                        labels: {namespace: gateway-test, pod: node-b}
                """.formatted(GRAFANA.resolve("alerts/gateway-alerts.yml"), nodeA.node().managementAddress().getPort(),
                nodeB.node().managementAddress().getPort()));
        prometheus = new ProcessBuilder(binary("prometheus"), "--config.file=" + config,
                "--storage.tsdb.path=" + work.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(work.resolve("prometheus.log").toFile()).start();
        prometheusUri = URI.create("http://127.0.0.1:" + port);
        // Prometheus takes a moment to listen: refused connections until then are expected.
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> resultCount("count(socketio_connections_limit)") == 1
                && value("count(socketio_connections_limit)") == 2);
    }

    @AfterAll
    static void stop() throws Exception {
        if (prometheus != null) {
            Commands.stop(prometheus);
        }
        if (nodeA != null) {
            nodeA.close();
        }
        if (nodeB != null) {
            nodeB.close();
        }
    }

    @Test
    void everyDashboardAndAlertQueryReturnsDataWhileClientsAreBusy() throws Exception {
        generateTraffic();
        // The nodes run in this JVM: GC pause series appear only once a collection has happened since their
        // registries were bound, which a quiet test JVM may not do by chance within the wait below.
        System.gc();
        await().atMost(Duration.ofSeconds(20)).until(() -> resultCount("sum(rate(socketio_events_received_total[1m])) > 0") == 1
                && resultCount("sum(rate(socketio_ack_latency_seconds_count[1m])) > 0") == 1);

        List<String> queries = dashboardQueries();
        queries.addAll(alertQueries());
        assertThat(queries).hasSizeGreaterThan(40);
        // Series born during the traffic need a second scrape before rate() has data: wait for it, within bounds.
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(failures(queries)).isEmpty());
    }

    /**
     * What is wrong with each query's answer. A query must answer with series of its own, so a trailing
     * {@code or vector(0)} (there so a panel or alert reads 0 rather than nothing) is dropped first: with it, a query
     * whose selector matches nothing (a wrong job or label) would still answer. And every series must carry a value
     * for each label the query groups by, since a sum by a label the series lack answers one series with it empty.
     */
    private static List<String> failures(List<String> queries) throws Exception {
        List<String> failures = new ArrayList<>();
        for (String query : queries) {
            String own = withoutFallback(query);
            JsonNode answer = query(own);
            if (!"success".equals(answer.path("status").asText())) {
                failures.add("query failed: " + own);
                continue;
            }
            JsonNode results = answer.path("data").path("result");
            if (results.isEmpty()) {
                failures.add("no data: " + own);
            }
            for (JsonNode result : results) {
                for (String label : groupingLabels(own)) {
                    if (result.path("metric").path(label).asText().isEmpty()) {
                        failures.add("no " + label + " label in " + result.path("metric") + ": " + own);
                    }
                }
            }
        }
        return failures;
    }

    /** The query without a trailing {@code or vector(0)}, and without the parentheses around what is left. */
    static String withoutFallback(String query) {
        String own = unwrapped(query.trim());
        Matcher fallback = FALLBACK.matcher(own);
        return fallback.matches() ? unwrapped(fallback.group(1).trim()) : own;
    }

    /** {@code (a or b)} is {@code a or b}; {@code (a) / (b)} is left alone. */
    private static String unwrapped(String query) {
        if (!query.startsWith("(") || !query.endsWith(")")) {
            return query;
        }
        int depth = 0;
        for (int i = 0; i < query.length() - 1; i++) {
            depth += query.charAt(i) == '(' ? 1 : query.charAt(i) == ')' ? -1 : 0;
            if (depth == 0) {
                return query;
            }
        }
        return unwrapped(query.substring(1, query.length() - 1).trim());
    }

    /** The labels of the query's {@code by (...)} clauses, but {@code le}, which histogram_quantile consumes. */
    static Set<String> groupingLabels(String query) {
        Set<String> labels = new TreeSet<>();
        Matcher by = GROUPING.matcher(query);
        while (by.find()) {
            for (String label : by.group(1).split(",")) {
                if (!label.isBlank() && !"le".equals(label.trim())) {
                    labels.add(label.trim());
                }
            }
        }
        return labels;
    }

    /** The check itself: what the old "at least one series" check let through is caught. */
    @Test
    void aWrongSelectorBehindAFallbackAndAGroupingLabelTheSeriesLackAreCaught() throws Exception {
        assertThat(withoutFallback("(count(up{job=\"x\"} == 1) or vector(0))")).isEqualTo("count(up{job=\"x\"} == 1)");
        assertThat(withoutFallback("(a) / (b)")).isEqualTo("(a) / (b)");
        assertThat(groupingLabels("histogram_quantile(0.99, sum by (le, event) (rate(x[1m]))) / on (pod) max by (pod) (y)"))
                .containsExactly("event", "pod");

        String right = "count(up{job=\"socketio-gateway\"} == 1) or vector(0)";
        String wrongJob = "count(up{job=\"no-such-job\"} == 1) or vector(0)";
        String missingLabel = "sum by (transport) (socketio_sessions{namespace=\"gateway-test\"})";
        assertThat(failures(List.of(right))).isEmpty();
        assertThat(failures(List.of(wrongJob, missingLabel))).satisfiesExactly(
                failure -> assertThat(failure).startsWith("no data: ").contains("no-such-job").doesNotContain("vector"),
                failure -> assertThat(failure).startsWith("no transport label in "));
    }

    @Test
    void promtoolAcceptsAndUnitTestsTheAlertRules() throws Exception {
        assertThat(run(binary("promtool"), "check", "rules", "alerts/gateway-alerts.yml")).isZero();
        assertThat(run(binary("promtool"), "test", "rules", "alerts/gateway-alerts.test.yml")).isZero();
    }

    /**
     * The prometheus-adapter rule through which the production HorizontalPodAutoscaler reads socketio_sessions: its
     * series query finds both nodes, and its metrics query, filled in as the adapter does for a Pods metric (grouped by
     * pod, matching the namespace and the pods), answers one value per pod.
     */
    @Test
    @SuppressWarnings("unchecked")
    void thePrometheusAdapterRuleAnswersOneSessionCountPerPod() throws Exception {
        Map<String, Object> values = new ObjectMapper(new YAMLFactory()).readValue(
                GRAFANA.resolveSibling("deploy/overlays/production/prometheus-adapter-rules.yaml").toFile(), Map.class);
        Map<String, Object> rule = ((List<Map<String, Object>>) ((Map<String, Object>) values.get("rules")).get("custom")).get(0);
        assertThat(resultCount((String) rule.get("seriesQuery"))).isEqualTo(2);
        String metricsQuery = ((String) rule.get("metricsQuery")).replace("<<.GroupBy>>", "pod")
                .replace("<<.Series>>", "socketio_sessions")
                .replace("<<.LabelMatchers>>", "namespace=\"gateway-test\",pod=~\"node-a|node-b\"");
        JsonNode results = query(metricsQuery).path("data").path("result");
        List<String> pods = new ArrayList<>();
        results.forEach(result -> {
            assertThat(result.path("metric").size()).as("only the pod label: %s", result).isEqualTo(1);
            pods.add(result.path("metric").path("pod").asText());
        });
        assertThat(pods).containsExactlyInAnyOrder("node-a", "node-b");
    }

    /** Chat, rooms, acks both ways, API calls (one refused), a validation error and a refused handshake, on both nodes. */
    private static void generateTraffic() throws Exception {
        try (Client a = nodeA.open("/", "{\"userId\":\"alice\"}"); Client b = nodeB.open("/", "{\"userId\":\"bob\"}");
             Client chat = nodeB.open("/chat", null); Client dashboard = nodeA.open("/dashboard", null)) {
            chat.ws().sendText("42/chat,1[\"joinRoom\",\"room\"]");
            chat.ws().nextText();
            chat.ws().nextText();
            for (int i = 0; i < 20; i++) {
                a.ws().sendText("42" + i + "[\"events\",{\"n\":" + i + "}]");
                a.ws().nextTextSkippingPings();
                b.ws().sendText("42[\"chatToServer\",\"hello " + i + "\"]");
            }
            a.ws().sendText("4299[\"chatToServer\",42]");
            for (int i = 0; i < 3; i++) {
                nodeA.node().cluster().of("/").timeout(Duration.ofSeconds(2)).emitWithAck("question", i);
                answerQuestion(a);
                answerQuestion(b);
            }
            nodeA.node().cluster().of("/").serverSideEmitWithAck("nodeInfo").toCompletableFuture().get(5, TimeUnit.SECONDS);
            post(nodeA, "/api/v1/data", "{\"v\":1}");
            post(nodeB, "/api/v1/data", "not json");
            http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + nodeA.node().socketIoAddress().getPort()
                    + "/socket.io/?EIO=9&transport=polling")).build(), HttpResponse.BodyHandlers.discarding());
            await().atMost(Duration.ofSeconds(5)).until(() -> resultCount("sum(rate(socketio_events_received_total[1m])) > 0") == 1);
        }
    }

    private static void answerQuestion(Client client) {
        while (true) {
            String message = client.ws().nextTextSkippingPings();
            Matcher question = Pattern.compile("42(\\d+)\\[\"question\",.*").matcher(message);
            if (question.matches()) {
                client.ws().sendText("43" + question.group(1) + "[\"ok\"]");
                return;
            }
        }
    }

    private static void post(ProductNode node, String path, String body) throws Exception {
        http.send(HttpRequest.newBuilder(node.apiUri(path)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.discarding());
    }

    /** Every panel target's expression, with the dashboard variables replaced as Grafana would. */
    private static List<String> dashboardQueries() throws IOException {
        JsonNode dashboard = JSON.readTree(GRAFANA.resolve("dashboards/gateway.json").toFile());
        List<String> queries = new ArrayList<>();
        for (JsonNode panel : dashboard.get("panels")) {
            for (JsonNode target : panel.path("targets")) {
                queries.add(target.get("expr").asText()
                        .replace("$namespace", "gateway-test")
                        .replace("$pod", ".*")
                        .replace("$__rate_interval", "1m"));
            }
        }
        return queries;
    }

    /** Each alert's query without its threshold: the quantity it watches must exist. */
    private static List<String> alertQueries() throws IOException {
        JsonNode rules = new ObjectMapper(new YAMLFactory()).readTree(GRAFANA.resolve("alerts/gateway-alerts.yml").toFile());
        List<String> queries = new ArrayList<>();
        for (JsonNode group : rules.get("groups")) {
            for (JsonNode rule : group.get("rules")) {
                Matcher matcher = COMPARISON.matcher(rule.get("expr").asText().trim());
                assertThat(matcher.matches()).as("alert %s is '<query> <comparison> <threshold>'", rule.get("alert")).isTrue();
                queries.add(matcher.group(1));
            }
        }
        return queries;
    }

    /** How many series a query returns; -1 when Prometheus refuses it. */
    private static int resultCount(String query) throws Exception {
        JsonNode answer = query(query);
        return "success".equals(answer.path("status").asText()) ? answer.path("data").path("result").size() : -1;
    }

    private static double value(String query) throws Exception {
        return query(query).path("data").path("result").get(0).path("value").get(1).asDouble();
    }

    private static JsonNode query(String query) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                URI.create(prometheusUri + "/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }

    private static int run(String... command) {
        Commands.Result result = Commands.run(Duration.ofSeconds(60), GRAFANA, List.of(command));
        if (result.exitCode() != 0) {
            System.err.println(result.output() + result.errors());
        }
        return result.exitCode();
    }

    private static String binary(String name) {
        for (String directory : List.of("/usr/bin", "/usr/local/bin", "/bin")) {
            if (Files.isExecutable(Path.of(directory, name))) {
                return Path.of(directory, name).toString();
            }
        }
        throw new IllegalStateException(name + " is not installed (apt-get install prometheus; .ci/run does it)");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
