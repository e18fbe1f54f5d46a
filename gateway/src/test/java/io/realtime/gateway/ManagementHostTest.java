package io.realtime.gateway;

import io.realtime.gateway.config.GatewayConfig;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The internal port (probes, metrics, backend API) binds MANAGEMENT_HOST, not SOCKETIO_HOST: a Socket.IO port put on
 * one address (loopback behind a sidecar) must not take the port kubelet and Prometheus call with it.
 */
class ManagementHostTest {

    /** A second loopback address (Linux answers on all of 127/8), so the two ports' addresses can differ in a test. */
    private static final String OTHER_LOOPBACK = "127.0.0.2";

    @Test
    void theInternalPortBindsManagementHostWhateverSocketIoHostIs() throws Exception {
        assumeTrue(canBind(OTHER_LOOPBACK), "this machine does not answer on " + OTHER_LOOPBACK);
        GatewayConfig config = GatewayConfig.load(Map.of("SOCKETIO_HOST", "127.0.0.1", "MANAGEMENT_HOST", OTHER_LOOPBACK),
                new String[] {"--port=0", "--managementPort=0"});

        try (GatewayNode node = GatewayNode.start(config)) {
            assertThat(node.socketIoAddress().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
            assertThat(node.managementAddress().getAddress().getHostAddress()).isEqualTo(OTHER_LOOPBACK);
            URI liveness = URI.create("http://" + OTHER_LOOPBACK + ":" + node.managementAddress().getPort() + "/health/live");
            HttpResponse<String> answer = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()
                    .send(HttpRequest.newBuilder(liveness).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).isEqualTo(200);
        }
    }

    private static boolean canBind(String address) {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(address))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
