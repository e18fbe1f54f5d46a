package io.realtime.gateway.recovery;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.EventLoop;
import io.realtime.cluster.SocketIds;
import io.realtime.gateway.socketio.GatewaySocket;
import io.realtime.gateway.testing.ProductNode;
import io.realtime.gateway.testing.RawWebSocket;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With recovery on, an event sent to one socket from another thread waits on the socket's loop for its turn (its
 * offset's); what the socket sends on its loop meanwhile (an ack, a DISCONNECT) comes after it, not before.
 */
class SocketSendOrderTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aDisconnectOnTheSocketsLoopComesAfterAnEventSentToTheSocketBeforeIt() throws Exception {
        try (ProductNode node = ProductNode.start(Map.of("CONNECTION_STATE_RECOVERY", "true"),
                "--eventRate=0", "--pingInterval=25000", "--pingTimeout=20000");
             RawWebSocket ws = RawWebSocket.connect(node.webSocketUri("/socket.io/?EIO=4&transport=websocket"))) {
            assertThat(ws.nextText()).startsWith("0{");
            ws.sendText("40");
            String sid = JSON.readTree(ws.nextText().substring(2)).get("sid").asText();
            GatewaySocket socket = (GatewaySocket) node.node().server().getNamespace("").getClient(SocketIds.parse(sid));
            EventLoop loop = socket.engineSession().eventLoop();

            // The loop is held while the event is handed to it; then, on the loop and ahead of the event's turn, a
            // handler's disconnect, as in "kicked" then disconnect().
            CountDownLatch eventHandedOver = new CountDownLatch(1);
            loop.execute(() -> {
                try {
                    assertThat(eventHandedOver.await(5, TimeUnit.SECONDS)).isTrue();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                socket.disconnect();
            });
            socket.sendEvent("kicked", "flooding");
            eventHandedOver.countDown();

            assertThat(ws.nextTextSkippingPings()).startsWith("42[\"kicked\",\"flooding\"");
            assertThat(ws.nextTextSkippingPings()).isEqualTo("41");
        }
    }
}
