package io.realtime.gateway.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.realtime.cluster.testing.RedisFixture;
import io.realtime.gateway.testing.ProductNode;
import io.realtime.gateway.testing.RawWebSocket;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With connection state recovery on, the application's namespaces are recoverable and the Admin UI's is not: a
 * socket is recoverable exactly when its CONNECT answer carries a {@code pid}, the session id it would recover by.
 */
class AdminUiRecoveryTest {

    @ParameterizedTest
    @ValueSource(strings = {"streams", "single node"})
    void theAdminNamespaceIsNeverRecoverable(String cluster) throws Exception {
        List<String> flags = new ArrayList<>(List.of("--connectionStateRecovery=true", "--pingInterval=25000"));
        if (cluster.equals("streams")) {
            flags.addAll(List.of("--redisUrl=" + RedisFixture.shared().uri(), "--redisAdapter=streams",
                    "--redisKey=admin-recovery-" + UUID.randomUUID()));
        }
        try (ProductNode node = ProductNode.start(Map.of("ADMIN_UI", "development", "ADMIN_UI_AUTH", "none"),
                flags.toArray(String[]::new))) {
            try (RawWebSocket app = RawWebSocket.connect(node.webSocketUri("/socket.io/?EIO=4&transport=websocket"))) {
                app.nextText();
                app.sendText("40");
                String answer = app.nextText();
                assertThat(answer).startsWith("40{");
                assertThat(AdminClient.JSON.readTree(answer.substring(2)).has("pid"))
                        .as("the application's namespace is recoverable: %s", answer).isTrue();
            }
            try (AdminClient admin = AdminClient.connect(node, "{}")) {
                assertThat(admin.isConnected()).isTrue();
                String answer = admin.connectAnswer();
                JsonNode connected = AdminClient.JSON.readTree(answer.substring(answer.indexOf('{')));
                assertThat(connected.has("sid")).isTrue();
                assertThat(connected.has("pid")).as("the admin namespace is not recoverable: %s", answer).isFalse();
            }
        }
    }
}
