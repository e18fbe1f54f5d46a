package io.realtime.gateway.engineio;

import io.realtime.gateway.stats.DisconnectReason;
import io.realtime.gateway.stats.BehaviourClose;
import com.corundumstudio.socketio.protocol.EngineIOVersion;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.realtime.gateway.stats.TrafficObserver;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sessions on an {@link EmbeddedChannel}'s event loop, whose clock only moves when a test moves it; requests and
 * WebSockets on embedded channels of their own, whose written responses and frames the test reads back.
 */
final class SessionFixture implements AutoCloseable {

    static final long PING_INTERVAL = 1000;
    static final long PING_TIMEOUT = 500;
    static final long UPGRADE_TIMEOUT = 300;
    static final int MAX_PAYLOAD = 1_000_000;
    /** How late a ping or a ping timeout may come (the heartbeats' tick for these options), in whole milliseconds. */
    static final long HEARTBEAT_TICK = 3;

    final List<String> messages = new ArrayList<>();
    /** Binary messages received, in hex. */
    final List<String> binaries = new ArrayList<>();
    final List<String> closeReasons = new ArrayList<>();
    final List<String> behaviourCloses = new ArrayList<>();
    /** Each report of payloads written in a batch: {payloads, bytes}. */
    final List<long[]> batchesSent = new ArrayList<>();
    final EmbeddedChannel loop = new EmbeddedChannel();
    final SessionRegistry registry;
    private final List<EmbeddedChannel> channels = new ArrayList<>();

    private final EngineSession.Listener listener = new EngineSession.Listener() {
        @Override
        public void onMessage(EngineSession session, String text) {
            messages.add(text);
        }

        @Override
        public void onBinary(EngineSession session, byte[] data) {
            binaries.add(java.util.HexFormat.of().formatHex(data));
        }

        @Override
        public void onClose(EngineSession session, DisconnectReason reason) {
            closeReasons.add(reason.text());
        }
    };

    SessionFixture() {
        this(4L << 20, PING_INTERVAL);
    }

    SessionFixture(long outboundLimit, long pingInterval) {
        loop.freezeTime();
        EngineOptions options = new EngineOptions("/socket.io/", Duration.ofMillis(pingInterval),
                Duration.ofMillis(PING_TIMEOUT), MAX_PAYLOAD, Duration.ofMillis(UPGRADE_TIMEOUT),
                Set.of(EngineOptions.POLLING, EngineOptions.WEBSOCKET), true, List.of(), outboundLimit);
        assertThat(Heartbeat.Queues.tick(options)).isLessThanOrEqualTo(Duration.ofMillis(HEARTBEAT_TICK));
        registry = new SessionRegistry(options, new TrafficObserver() {
            @Override
            public void closedForBehaviour(BehaviourClose reason) {
                behaviourCloses.add(reason.tag());
            }

            @Override
            public void bytesSent(long payloads, long bytes) {
                batchesSent.add(new long[] {payloads, bytes});
            }
        });
    }

    EngineSession polling(EngineIOVersion version) {
        EngineSession session = registry.create(version, loop.eventLoop(), InetAddress.getLoopbackAddress());
        session.open(new PollingTransport(session, false));
        session.setListener(listener);
        return session;
    }

    /** A session whose first transport is a WebSocket on {@code channel}, its handshake answered. */
    EngineSession webSocket(EmbeddedChannel channel) {
        return webSocket(channel, loop.eventLoop());
    }

    /** The same on any connection, the session on {@code eventLoop} (called on that loop). */
    EngineSession webSocket(Channel channel, EventLoop eventLoop) {
        EngineSession session = registry.create(EngineIOVersion.V4, eventLoop, InetAddress.getLoopbackAddress());
        WebSocketTransport transport = new WebSocketTransport(session, channel);
        channel.pipeline().addLast(new WebSocketFrameHandler(transport, MAX_PAYLOAD));
        session.open(transport);
        session.setListener(listener);
        transport.onHandshakeAnswered();
        return session;
    }

    EmbeddedChannel channel() {
        EmbeddedChannel channel = new EmbeddedChannel();
        channels.add(channel);
        return channel;
    }

    /** A long-polling GET on a new connection; its answer, if any, is read with {@link #answer}. */
    EmbeddedChannel poll(EngineSession session) {
        EmbeddedChannel http = channel();
        session.onRequest(exchange(http), Transport::onPoll);
        return http;
    }

    /** A long-polling POST; returns the status of its answer. */
    int post(EngineSession session, String body) {
        EmbeddedChannel http = channel();
        session.onRequest(exchange(http), (transport, post) -> transport.onPost(post, body.getBytes(StandardCharsets.UTF_8)));
        FullHttpResponse response = http.readOutbound();
        try {
            return response.status().code();
        } finally {
            response.release();
        }
    }

    static HttpExchange exchange(EmbeddedChannel http) {
        return new HttpExchange(http, true, new DefaultHttpHeaders());
    }

    /** The body of the answer written on a connection, or {@code null} while none is. */
    static String answer(EmbeddedChannel http) {
        FullHttpResponse response = http.readOutbound();
        if (response == null) {
            return null;
        }
        try {
            assertThat(response.status().code()).isEqualTo(200);
            return response.content().toString(StandardCharsets.UTF_8);
        } finally {
            response.release();
        }
    }

    /** The payload of the next (unmasked, short) WebSocket frame written as bytes, past Netty's encoder. */
    static String nextFrameText(EmbeddedChannel webSocket) {
        ByteBuf frame = webSocket.readOutbound();
        assertThat(frame).as("a frame written").isNotNull();
        try {
            int length = frame.getByte(1) & 0x7f;
            assertThat(length).as("a short frame").isLessThan(126);
            return frame.toString(2, length, StandardCharsets.UTF_8);
        } finally {
            frame.release();
        }
    }

    void advance(long millis) {
        loop.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        loop.runScheduledPendingTasks();
        loop.runPendingTasks();
    }

    @Override
    public void close() {
        for (EmbeddedChannel channel : channels) {
            channel.finishAndReleaseAll();
        }
        loop.finishAndReleaseAll();
    }
}
