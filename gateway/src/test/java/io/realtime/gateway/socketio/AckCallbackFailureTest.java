package io.realtime.gateway.socketio;

import com.corundumstudio.socketio.AckCallback;
import com.corundumstudio.socketio.SocketIONamespace;
import io.realtime.gateway.testing.ProductNode;
import io.realtime.gateway.testing.ProductNode.Client;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** An application's ack callback that throws is its own bug: the client's connection goes on. */
class AckCallbackFailureTest {

    @Test
    void aCallbackThatThrowsLeavesTheConnectionOpen() {
        try (ProductNode node = ProductNode.start(Map.of(), "--dashboardInterval=60000")) {
            SocketIONamespace namespace = node.node().server().addNamespace("/failing");
            AtomicInteger answers = new AtomicInteger();
            try (Client client = node.open("/failing", null)) {
                await().atMost(Duration.ofSeconds(5)).until(() -> namespace.getAllClients().size() == 1);
                GatewaySocket socket = (GatewaySocket) namespace.getAllClients().iterator().next();
                socket.sendEvent("question", new AckCallback<>(Object.class) {
                    @Override
                    public void onSuccess(Object answer) {
                        answers.incrementAndGet();
                        throw new IllegalStateException("the application's bug");
                    }
                }, 1);
                String asked = client.ws().nextText();
                String ackId = asked.substring("42/failing,".length(), asked.indexOf('['));
                client.ws().sendText("43/failing," + ackId + "[\"answer\"]");
                await().atMost(Duration.ofSeconds(5)).until(() -> answers.get() == 1);

                socket.sendEvent("after", 2);
                assertThat(client.ws().nextText()).isEqualTo("42/failing,[\"after\",2]");
                assertThat(socket.isLive()).isTrue();
            }
        }
    }
}
