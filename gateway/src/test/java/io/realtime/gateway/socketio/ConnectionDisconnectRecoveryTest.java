package io.realtime.gateway.socketio;

import com.corundumstudio.socketio.SocketIOClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.EventLoop;
import io.realtime.cluster.SocketIds;
import io.realtime.gateway.engineio.OffsetOrder;
import io.realtime.gateway.testing.RawWebSocket;
import io.realtime.gateway.testing.TestNode;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The server disconnecting a whole connection ({@code SocketIoConnection.disconnect()}, what {@code
 * disconnectSockets(true)} does, as socket.io's {@code socket.disconnect(true)}) with connection state recovery on:
 * every socket of the connection gets its DISCONNECT before the transport closes and ends as "server namespace
 * disconnect", leaving no session to recover, even while writes with offsets wait on the connection's loop.
 */
class ConnectionDisconnectRecoveryTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECOND = "/second";
    private static TestNode node;

    @BeforeAll
    static void start() {
        node = TestNode.start(server -> server.addNamespace(SECOND),
                "--pingInterval=25000", "--pingTimeout=20000", "--connectionStateRecovery=true");
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    /** A socket on the wire: its namespace, id, pid and the offset of the last event it got. */
    private record Socket(String nsp, String sid, String pid, String offset) {
        String resume() {
            return "{\"pid\":\"" + pid + "\",\"offset\":\"" + offset + "\"}";
        }
    }

    /** One client connection with a socket in the main namespace and one in {@link #SECOND}. */
    private record Client(RawWebSocket ws, Socket main, Socket second) {
    }

    /** Texts received until one starts with {@code prefix} (included); heartbeats answered. */
    private static List<String> until(RawWebSocket ws, String prefix) {
        List<String> texts = new ArrayList<>();
        while (texts.isEmpty() || !texts.get(texts.size() - 1).startsWith(prefix)) {
            texts.add(ws.nextTextSkippingPings());
        }
        return texts;
    }

    /** Texts received until the server closes the WebSocket. */
    private static List<String> untilClosed(RawWebSocket ws) {
        List<String> texts = new ArrayList<>();
        await().atMost(Duration.ofSeconds(5)).until(() -> ws.closed().isDone());
        while (true) {
            try {
                texts.add(ws.nextText());
            } catch (AssertionError none) {
                return texts;
            }
        }
    }

    private static JsonNode data(List<String> texts, String prefix) throws Exception {
        String text = texts.get(texts.size() - 1);
        return JSON.readTree(text.substring(prefix.length()));
    }

    private static GatewaySocket serverSocket(String nsp, String sid) {
        SocketIOClient client = node.server().getNamespace(NamespaceNames.nettySocketIo(nsp)).getClient(SocketIds.parse(sid));
        return (GatewaySocket) client;
    }

    /** Connects both sockets (resuming them when {@code previous} is given) and gives each an event with an offset. */
    private static Client connect(Client previous) throws Exception {
        RawWebSocket ws = RawWebSocket.connect(node.webSocketUri("/socket.io/?EIO=4&transport=websocket"));
        assertThat(ws.nextText()).startsWith("0{");
        ws.sendText(previous == null ? "40" : "40" + previous.main().resume());
        JsonNode main = data(until(ws, "40{"), "40");
        until(ws, "42[\"auth\"");
        ws.sendText("40" + SECOND + "," + (previous == null ? "" : previous.second().resume()));
        JsonNode second = data(until(ws, "40" + SECOND + ",{"), "40" + SECOND + ",");
        String mainSid = main.get("sid").asText();
        String secondSid = second.get("sid").asText();
        serverSocket("/", mainSid).sendEvent("news", "hello");
        JsonNode mainNews = data(until(ws, "42[\"news\""), "42");
        serverSocket(SECOND, secondSid).sendEvent("news", "hello");
        JsonNode secondNews = data(until(ws, "42" + SECOND + ",[\"news\""), "42" + SECOND + ",");
        return new Client(ws,
                new Socket("/", mainSid, main.path("pid").asText(null), mainNews.get(mainNews.size() - 1).asText()),
                new Socket(SECOND, secondSid, second.path("pid").asText(null), secondNews.get(secondNews.size() - 1).asText()));
    }

    /**
     * After the kick: both sockets gone as "server namespace disconnect", the client got both DISCONNECTs (after
     * {@code lastWords}, when given) before its WebSocket closed, and coming back with pid and offset gives new sockets.
     */
    private static void assertKicked(Client kicked, GatewaySocket main, GatewaySocket second, String lastWords) throws Exception {
        assertKicked(kicked, main, second, lastWords, true);
    }

    /** As above; without {@code told}, the client need not have got its DISCONNECTs (its transport went first). */
    private static void assertKicked(Client kicked, GatewaySocket main, GatewaySocket second, String lastWords,
                                     boolean told) throws Exception {
        List<String> received = untilClosed(kicked.ws());
        await().atMost(Duration.ofSeconds(5)).until(() -> main.isDisconnected() && second.isDisconnected());
        Client back = connect(kicked);
        back.ws().close();
        SoftAssertions softly = new SoftAssertions();
        softly.assertThat(main.disconnectReason()).isEqualTo("server namespace disconnect");
        softly.assertThat(second.disconnectReason()).isEqualTo("server namespace disconnect");
        if (told) {
            softly.assertThat(received).as("what the client got before the close").contains("41", "41" + SECOND + ",");
        }
        if (lastWords != null) {
            int words = -1;
            for (int i = 0; i < received.size(); i++) {
                if (received.get(i).startsWith("42[\"news\",\"" + lastWords + "\"")) {
                    words = i;
                }
            }
            softly.assertThat(words).as("the event sent before the disconnect, in " + received).isNotNegative();
            softly.assertThat(received.indexOf("41")).as("the DISCONNECT after it, in " + received).isGreaterThan(words);
        }
        softly.assertThat(back.main().sid()).as("a new main socket").isNotEqualTo(kicked.main().sid());
        softly.assertThat(back.second().sid()).as("a new " + SECOND + " socket").isNotEqualTo(kicked.second().sid());
        softly.assertAll();
    }

    /**
     * On the connection's loop (an event handler of the connection), just after another thread handed that loop an
     * event with an offset for the socket, not yet written.
     */
    @Test
    void disconnectedOnItsLoopBehindAPendingEventIsNotRecovered() throws Exception {
        Client client = connect(null);
        assertThat(client.main().pid()).isNotNull();
        GatewaySocket main = serverSocket("/", client.main().sid());
        GatewaySocket second = serverSocket(SECOND, client.second().sid());
        SocketIoConnection connection = (SocketIoConnection) main.getBaseClient();
        EventLoop loop = connection.engineSession().eventLoop();
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                Thread other = new Thread(() -> main.sendEvent("news", "last words"));
                other.start();
                other.join(5000);
                connection.disconnect();
                done.complete(null);
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        });
        done.get(5, TimeUnit.SECONDS);
        assertKicked(client, main, second, "last words");
    }

    /**
     * From another thread (a cluster's disconnectSockets, the Admin UI), while the loop is busy and another write with
     * an offset (of any connection on that loop) is handed to it just after.
     */
    @Test
    void disconnectedFromAnotherThreadWithWritesWaitingIsNotRecovered() throws Exception {
        Client client = connect(null);
        GatewaySocket main = serverSocket("/", client.main().sid());
        GatewaySocket second = serverSocket(SECOND, client.second().sid());
        SocketIoConnection connection = (SocketIoConnection) main.getBaseClient();
        EventLoop loop = connection.engineSession().eventLoop();
        CountDownLatch release = keepBusy(loop);
        try {
            main.sendEvent("news", "last words");
            connection.disconnect();
            OffsetOrder.run(loop, () -> { });
        } finally {
            release.countDown();
        }
        assertKicked(client, main, second, "last words");
    }

    /** Nothing waiting on the loop: the plain case, for reference. */
    @Test
    void disconnectedFromAnotherThreadIsNotRecovered() throws Exception {
        Client client = connect(null);
        GatewaySocket main = serverSocket("/", client.main().sid());
        GatewaySocket second = serverSocket(SECOND, client.second().sid());
        ((SocketIoConnection) main.getBaseClient()).disconnect();
        assertKicked(client, main, second, null);
    }

    /**
     * The connection ends some other way (here its transport, as if it dropped) after the disconnect was asked and
     * before the sockets' DISCONNECTs, waiting behind a write with an offset, could go: still the server's doing.
     */
    @Test
    void aConnectionEndingBeforeItsDisconnectsGoIsStillNotRecovered() throws Exception {
        Client client = connect(null);
        GatewaySocket main = serverSocket("/", client.main().sid());
        GatewaySocket second = serverSocket(SECOND, client.second().sid());
        SocketIoConnection connection = (SocketIoConnection) main.getBaseClient();
        dropTransportBehind(connection, connection::disconnect);
        assertKicked(client, main, second, null, false);
    }

    /**
     * One socket disconnected by the server ({@code socket.disconnect()}) while its DISCONNECT waits behind a write
     * with an offset, and the transport drops before it could go: that socket ended as the server's doing and is not
     * recovered, while the connection's other socket, which the server did not disconnect, is.
     */
    @Test
    void aSocketDisconnectedByTheServerIsNotRecoveredWhenItsTransportDropsFirst() throws Exception {
        Client client = connect(null);
        GatewaySocket main = serverSocket("/", client.main().sid());
        GatewaySocket second = serverSocket(SECOND, client.second().sid());
        dropTransportBehind((SocketIoConnection) main.getBaseClient(), main::disconnect);
        untilClosed(client.ws());
        await().atMost(Duration.ofSeconds(5)).until(() -> main.isDisconnected() && second.isDisconnected());
        Client back = connect(client);
        back.ws().close();
        SoftAssertions softly = new SoftAssertions();
        softly.assertThat(main.disconnectReason()).isEqualTo("server namespace disconnect");
        softly.assertThat(second.disconnectReason()).isEqualTo("transport close");
        softly.assertThat(back.main().sid()).as("a new main socket").isNotEqualTo(client.main().sid());
        softly.assertThat(back.second().sid()).as("the " + SECOND + " socket recovered").isEqualTo(client.second().sid());
        softly.assertAll();
    }

    /** Two disconnects asked while the first waits behind a write: one DISCONNECT, and the first one's reason. */
    @Test
    void aSecondDisconnectWhileTheFirstWaitsKeepsTheFirstsReason() throws Exception {
        Client client = connect(null);
        GatewaySocket main = serverSocket("/", client.main().sid());
        EventLoop loop = ((SocketIoConnection) main.getBaseClient()).engineSession().eventLoop();
        CountDownLatch release = keepBusy(loop);
        try {
            main.disconnect(io.realtime.gateway.stats.DisconnectReason.TOKEN_EXPIRED);
            OffsetOrder.run(loop, () -> { });
            main.disconnect();
        } finally {
            release.countDown();
        }
        await().atMost(Duration.ofSeconds(5)).until(main::isDisconnected);
        List<String> received = until(client.ws(), "41");
        serverSocket(SECOND, client.second().sid()).sendEvent("news", "still here");
        received.addAll(until(client.ws(), "42" + SECOND + ",[\"news\",\"still here\""));
        client.ws().close();
        assertThat(main.disconnectReason()).isEqualTo(io.realtime.gateway.stats.DisconnectReason.TOKEN_EXPIRED.text());
        assertThat(received).as("one DISCONNECT").containsOnlyOnce("41");
    }

    /**
     * Runs {@code disconnect} while the connection's loop is busy, queues a write with an offset behind it, and drops
     * the transport before either runs: what the disconnect queued on the loop waits behind that write, and the
     * transport goes first.
     */
    private static void dropTransportBehind(SocketIoConnection connection, Runnable disconnect) throws InterruptedException {
        EventLoop loop = connection.engineSession().eventLoop();
        CountDownLatch release = keepBusy(loop);
        try {
            disconnect.run();
            OffsetOrder.run(loop, () -> { });
            connection.engineSession().closeAtOnce(io.realtime.gateway.stats.DisconnectReason.TRANSPORT_CLOSE);
        } finally {
            release.countDown();
        }
    }

    /** Keeps the loop busy until the returned latch is counted down (5 s at most); returns once it is busy. */
    private static CountDownLatch keepBusy(EventLoop loop) throws InterruptedException {
        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        loop.execute(() -> {
            busy.countDown();
            try {
                release.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(busy.await(5, TimeUnit.SECONDS)).isTrue();
        return release;
    }
}
