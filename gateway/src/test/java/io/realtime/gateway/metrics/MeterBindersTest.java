package io.realtime.gateway.metrics;

import com.corundumstudio.socketio.Configuration;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.realtime.cluster.Cluster;
import io.realtime.gateway.api.RegisteredGateway;
import io.realtime.gateway.server.GatewayServer;
import io.realtime.gateway.stats.BehaviourClose;
import io.realtime.gateway.stats.DisconnectReason;
import io.realtime.gateway.stats.EventRefusal;
import io.realtime.gateway.stats.HttpClose;
import io.realtime.gateway.stats.RecoveryFailure;
import io.realtime.gateway.stats.RefusalReason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The binders on their own: a server that is built but not started, a single-node cluster, no traffic. */
class MeterBindersTest {

    private static final Path GRAFANA = Path.of("..", "grafana").toAbsolutePath().normalize();
    private static final Pattern METRIC = Pattern.compile("\\b((?:socketio|gateway|netty|jvm|process)_[a-z_]+)");

    private ScheduledExecutorService scheduler;
    private GatewayServer server;
    private Cluster cluster;
    private TrafficMetrics traffic;
    private ClusterMetrics clusterMetrics;
    private GatewayMetrics metrics;
    private final HttpCloseMetrics internalPortCloses = new HttpCloseMetrics(HttpCloseMetrics.Port.INTERNAL);

    @BeforeEach
    void bindEverything() {
        scheduler = Executors.newSingleThreadScheduledExecutor();
        server = new GatewayServer(new Configuration());
        server.addNamespace("/chat");
        cluster = Cluster.local(server);
        traffic = new TrafficMetrics();
        clusterMetrics = new ClusterMetrics();
        KnownNames names = KnownNames.of(server.getAllNamespaces(),
                List.of(new RegisteredGateway("/chat", Object.class, Set.of("chatToRoom"), Set.of("chatToClient"))), Set.of());
        traffic.declare(names);
        metrics = new GatewayMetrics().bind(new RuntimeMetrics(), traffic, clusterMetrics, new ServerMetrics(server, 20_000, server::sessionCount),
                new ClusterLinkMetrics(cluster, scheduler), new ApiMetrics(List.of("notifications", "data", "emit", "unknown"), 202),
                internalPortCloses, new EventLoopMetrics(() -> java.time.Duration.ZERO));
        // Declared after binding: the order does not matter.
        clusterMetrics.declare(names);
    }

    @AfterEach
    void stop() throws Exception {
        scheduler.shutdownNow();
        cluster.close();
    }

    @Test
    void everyMeterTheDashboardAndTheAlertsUseExistsAtZeroRightAfterBinding() throws IOException {
        String scrape = metrics.scrape();
        Set<String> used = new TreeSet<>();
        try (Stream<Path> files = Files.walk(GRAFANA)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Matcher matcher = METRIC.matcher(Files.readString(file));
                while (matcher.find()) {
                    used.add(matcher.group(1));
                }
            }
        }

        assertThat(used).contains("gateway_api_requests_seconds_count", "socketio_handler_duration_seconds_bucket",
                "socketio_broadcast_recipients_bucket");
        // Micrometer's JvmGcMetrics registers the pause timer at the first collection, not at binding.
        used.remove("jvm_gc_pause_seconds_sum");
        assertThat(used).allSatisfy(name -> assertThat(scrape).as(name).containsPattern("(?m)^" + name + "[{ ]"));
        assertThat(scrape).contains("gateway_api_requests_seconds_count{route=\"notifications\",status=\"202\"} 0")
                .contains("socketio_handler_duration_seconds_count{event=\"chatToRoom\",nsp=\"/chat\"} 0")
                .contains("socketio_connects_total{nsp=\"/\"} 0.0")
                .contains("socketio_events_sent_total{event=\"exception\",nsp=\"/chat\"} 0.0")
                .contains("socketio_cluster_dropped_total 0.0")
                .contains("socketio_cluster_publish_unconfirmed_total 0.0")
                .contains("socketio_cluster_requests_refused_total 0.0")
                .contains("socketio_cluster_work_queued 0.0")
                .contains("socketio_cluster_handler_failures_total 0.0")
                .contains("socketio_cluster_broken 0.0")
                .contains("socketio_event_loop_lag_seconds 0.0");
        for (HttpClose reason : HttpClose.values()) {
            // Both ports answer a request that is not valid HTTP 400 (malformed), as the others.
            assertThat(scrape).contains("socketio_http_closed_total{port=\"internal\",reason=\"" + reason.tag() + "\"} 0.0")
                    .contains("socketio_http_closed_total{port=\"socketio\",reason=\"" + reason.tag() + "\"} 0.0");
        }
    }

    @Test
    void everyReasonTheCodeDecidesIsCountedUnderItsOwnTag() {
        for (DisconnectReason reason : DisconnectReason.values()) {
            traffic.disconnected("/chat", reason);
        }
        for (RefusalReason reason : RefusalReason.values()) {
            traffic.refused(reason);
        }
        for (BehaviourClose reason : BehaviourClose.values()) {
            traffic.closedForBehaviour(reason);
        }
        for (EventRefusal reason : EventRefusal.values()) {
            traffic.eventRefused("/chat", reason);
        }
        for (RecoveryFailure reason : RecoveryFailure.values()) {
            traffic.recoveryFailed(reason);
        }
        traffic.recovered("/chat", 3);
        for (HttpClose reason : HttpClose.values()) {
            traffic.httpClosed(reason);
            internalPortCloses.closed(reason);
            internalPortCloses.closed(reason);
        }

        String scrape = metrics.scrape();
        for (RecoveryFailure reason : RecoveryFailure.values()) {
            assertThat(scrape).contains("socketio_recoveries_failed_total{reason=\"" + reason.tag() + "\"} 1.0");
        }
        assertThat(scrape).contains("socketio_recoveries_total 1.0").contains("socketio_recovery_replayed_total 3.0");
        for (DisconnectReason reason : DisconnectReason.values()) {
            assertThat(scrape).contains("socketio_disconnects_total{nsp=\"/chat\",reason=\"" + reason.text() + "\"} 1.0");
        }
        for (RefusalReason reason : RefusalReason.values()) {
            assertThat(scrape).contains("socketio_connections_refused_total{reason=\"" + reason.tag() + "\"} 1.0");
        }
        for (BehaviourClose reason : BehaviourClose.values()) {
            assertThat(scrape).contains("socketio_connections_closed_behaviour_total{reason=\"" + reason.tag() + "\"} 1.0");
        }
        for (EventRefusal reason : EventRefusal.values()) {
            assertThat(scrape).contains("socketio_events_refused_total{nsp=\"/chat\",reason=\"" + reason.tag() + "\"} 1.0");
        }
        for (HttpClose reason : HttpClose.values()) {
            assertThat(scrape).contains("socketio_http_closed_total{port=\"socketio\",reason=\"" + reason.tag() + "\"} 1.0")
                    .contains("socketio_http_closed_total{port=\"internal\",reason=\"" + reason.tag() + "\"} 2.0");
        }
        assertThat(scrape).doesNotContain("reason=\"other\"");
    }

    @Test
    void namesNobodyDeclaredAreCountedAsOther() {
        traffic.eventReceived("/chat", "chatToRoom");
        traffic.eventReceived("/chat", "made-up");
        traffic.connected("/nowhere");

        String scrape = metrics.scrape();
        assertThat(scrape).contains("socketio_events_received_total{event=\"chatToRoom\",nsp=\"/chat\"} 1.0")
                .contains("socketio_events_received_total{event=\"other\",nsp=\"/chat\"} 1.0")
                .contains("socketio_connects_total{nsp=\"other\"} 1.0");
        assertThat(traffic.eventsReceived()).isEqualTo(2);
    }

    /**
     * The fan-out summary is recorded once per broadcast per node, with the sockets that node reached: its count is
     * broadcasts handled (an empty room included), its sum the deliveries. Each panel must read the one its title names.
     */
    @Test
    void theDeliveriesPanelReadsSocketsReachedAndTheHandledPanelReadsBroadcasts() throws IOException {
        clusterMetrics.delivered("/", 3);
        clusterMetrics.delivered("/", 0);
        String scrape = metrics.scrape();

        assertThat(panelValue(18, scrape)).as("deliveries: sockets reached").isEqualTo(3.0);
        assertThat(panelValue(47, scrape)).as("broadcasts handled").isEqualTo(2.0);
    }

    /** The value, for namespace /, of the one metric a dashboard panel's query reads. */
    private static double panelValue(int id, String scrape) throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(GRAFANA.resolve("dashboards/gateway.json").toFile());
        for (JsonNode panel : dashboard.get("panels")) {
            if (panel.path("id").asInt() == id) {
                Matcher metric = METRIC.matcher(panel.path("targets").get(0).path("expr").asText());
                assertThat(metric.find()).as("panel %d reads a metric", id).isTrue();
                Matcher sample = Pattern.compile("(?m)^" + Pattern.quote(metric.group(1)) + "\\{nsp=\"/\"} (\\S+)$").matcher(scrape);
                assertThat(sample.find()).as("%s for / in the scrape", metric.group(1)).isTrue();
                return Double.parseDouble(sample.group(1));
            }
        }
        throw new AssertionError("no panel " + id);
    }
}
