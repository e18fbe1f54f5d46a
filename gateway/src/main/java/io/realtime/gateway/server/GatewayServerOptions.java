package io.realtime.gateway.server;

import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.realtime.gateway.admission.AdmissionOptions;
import io.realtime.gateway.admission.ClientAddressOptions;
import io.realtime.gateway.engineio.EngineOptions;
import io.realtime.gateway.engineio.SessionFanOut;
import io.realtime.gateway.limits.EventLimits;
import io.realtime.gateway.limits.HttpLimits;
import io.realtime.gateway.stats.TrafficObserver;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything a {@link GatewayServer} needs besides netty-socketio's {@code Configuration}, fixed when the server is
 * built (in the manner of lettuce's {@code ClientOptions}): build one with {@link #builder()}; unset values keep
 * the defaults documented on each builder method, which are socket.io's own where it has one.
 */
public final class GatewayServerOptions {

    /** socket.io's {@code connectTimeout}. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(45);
    /** socket.io-parser has no limit; ten keeps one packet from reserving unbounded placeholders. */
    public static final int DEFAULT_MAX_ATTACHMENTS = 10;
    /** A header block's worth, 16 KiB: what a token in an Authorization header may be at most proxies. */
    public static final int DEFAULT_MAX_CONNECT_PAYLOAD = 16 * 1024;
    /**
     * Broadcasts that reach a connection within 5 ms of its last broadcast flush wait for the rest of those 5 ms and go
     * to it in one send: what a burst costs the node falls by the sends saved, and a lone broadcast still goes out at
     * once.
     */
    public static final Duration DEFAULT_BROADCAST_FLUSH_WINDOW = Duration.ofMillis(5);

    private final EngineOptions engine;
    private final Duration connectTimeout;
    private final int maxAttachments;
    private final int maxConnectPayload;
    private final Duration broadcastFlushWindow;
    private final EventLimits eventLimits;
    private final AdmissionOptions admission;
    private final HttpLimits httpLimits;
    private final ClientAddressOptions clientAddresses;
    private final SslContext tls;
    private final TrafficObserver observer;
    private final EventLoopGroup eventLoops;

    private GatewayServerOptions(Builder builder) {
        this.engine = builder.engine;
        this.connectTimeout = builder.connectTimeout;
        this.maxAttachments = builder.maxAttachments;
        this.maxConnectPayload = builder.maxConnectPayload;
        this.broadcastFlushWindow = builder.broadcastFlushWindow;
        this.eventLimits = builder.eventLimits;
        this.admission = builder.admission;
        this.httpLimits = builder.httpLimits;
        this.clientAddresses = builder.clientAddresses;
        this.tls = builder.tls;
        this.observer = builder.observer;
        this.eventLoops = builder.eventLoops;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Every default. */
    public static GatewayServerOptions defaults() {
        return builder().build();
    }

    /** A builder holding these options, to derive others from them. */
    public Builder mutate() {
        return new Builder().engine(engine).connectTimeout(connectTimeout).maxAttachments(maxAttachments)
                .maxConnectPayload(maxConnectPayload).broadcastFlushWindow(broadcastFlushWindow)
                .eventLimits(eventLimits).admission(admission).httpLimits(httpLimits).clientAddresses(clientAddresses).tls(tls).observer(observer)
                .eventLoops(eventLoops);
    }

    public EngineOptions engine() {
        return engine;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    public int maxAttachments() {
        return maxAttachments;
    }

    /** Characters a namespace CONNECT packet may hold; 0: no bound of its own. */
    public int maxConnectPayload() {
        return maxConnectPayload;
    }

    /** How long after a connection's last broadcast flush the next one waits, to send what reaches it meanwhile along. */
    public Duration broadcastFlushWindow() {
        return broadcastFlushWindow;
    }

    public EventLimits eventLimits() {
        return eventLimits;
    }

    public AdmissionOptions admission() {
        return admission;
    }

    /** The request and idle deadlines and the request line and header limits of the port. */
    public HttpLimits httpLimits() {
        return httpLimits;
    }

    /** Where the real client address comes from behind a balancer. */
    public ClientAddressOptions clientAddresses() {
        return clientAddresses;
    }

    /** The TLS context of the port; empty: plain. */
    public Optional<SslContext> tls() {
        return Optional.ofNullable(tls);
    }

    public TrafficObserver observer() {
        return observer;
    }

    /** The connections' event loops when the application lends them; empty: the server makes its own. */
    public Optional<EventLoopGroup> eventLoops() {
        return Optional.ofNullable(eventLoops);
    }

    /** Mutable, single-use collector of options; {@link #build()} checks them. */
    public static final class Builder {
        private EngineOptions engine = EngineOptions.defaults();
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private int maxAttachments = DEFAULT_MAX_ATTACHMENTS;
        private int maxConnectPayload = DEFAULT_MAX_CONNECT_PAYLOAD;
        private Duration broadcastFlushWindow = DEFAULT_BROADCAST_FLUSH_WINDOW;
        private EventLimits eventLimits = EventLimits.UNLIMITED;
        private AdmissionOptions admission = AdmissionOptions.UNLIMITED;
        private HttpLimits httpLimits = HttpLimits.DEFAULTS;
        private ClientAddressOptions clientAddresses = ClientAddressOptions.DIRECT;
        private SslContext tls;
        private TrafficObserver observer = TrafficObserver.NONE;
        private EventLoopGroup eventLoops;

        private Builder() {
        }

        /** The Engine.IO options; default {@link EngineOptions#defaults()} (socket.io's). */
        public Builder engine(EngineOptions engine) {
            this.engine = Objects.requireNonNull(engine, "engine");
            return this;
        }

        /** How long a connection may stay without joining a namespace; default 45 s (socket.io's). */
        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout");
            return this;
        }

        /** The most binary attachments one packet may announce; default 10. */
        public Builder maxAttachments(int maxAttachments) {
            this.maxAttachments = maxAttachments;
            return this;
        }

        /**
         * The most characters a namespace CONNECT packet may hold with its auth payload, which its socket keeps for
         * life; default {@link #DEFAULT_MAX_CONNECT_PAYLOAD}; 0: no bound of its own (a message's, as socket.io).
         */
        public Builder maxConnectPayload(int maxConnectPayload) {
            this.maxConnectPayload = maxConnectPayload;
            return this;
        }

        /**
         * How long after a connection's last broadcast flush the next one waits ({@link SessionFanOut}); default
         * {@link #DEFAULT_BROADCAST_FLUSH_WINDOW}; zero: each broadcast is flushed once its loop has run the tasks waiting.
         */
        public Builder broadcastFlushWindow(Duration broadcastFlushWindow) {
            this.broadcastFlushWindow = Objects.requireNonNull(broadcastFlushWindow, "broadcastFlushWindow");
            return this;
        }

        /** Per-connection inbound event limits; default {@link EventLimits#UNLIMITED}. */
        public Builder eventLimits(EventLimits eventLimits) {
            this.eventLimits = Objects.requireNonNull(eventLimits, "eventLimits");
            return this;
        }

        /** Who may open a session; default {@link AdmissionOptions#UNLIMITED}. */
        public Builder admission(AdmissionOptions admission) {
            this.admission = Objects.requireNonNull(admission, "admission");
            return this;
        }

        /** Request and idle deadlines, request line and header limits; default {@link HttpLimits#DEFAULTS}. */
        public Builder httpLimits(HttpLimits httpLimits) {
            this.httpLimits = Objects.requireNonNull(httpLimits, "httpLimits");
            return this;
        }

        /** PROXY protocol and trusted proxies; default {@link ClientAddressOptions#DIRECT}: the TCP peer, no header believed. */
        public Builder clientAddresses(ClientAddressOptions clientAddresses) {
            this.clientAddresses = Objects.requireNonNull(clientAddresses, "clientAddresses");
            return this;
        }

        /** Serves the port over TLS with this context; default {@code null}: plain. */
        public Builder tls(SslContext tls) {
            this.tls = tls;
            return this;
        }

        /** Where the server reports its traffic (the metrics); default {@link TrafficObserver#NONE}. */
        public Builder observer(TrafficObserver observer) {
            this.observer = Objects.requireNonNull(observer, "observer");
            return this;
        }

        /**
         * Serves the connections on these event loops, which the application owns and shuts down after
         * {@link GatewayServer#stop()} (the node lends the same loops to its Redis link, so that a broadcast read
         * from Redis is written to the loop's sockets without a hand-over); make them with
         * {@link GatewayServer#newEventLoops}. Default {@code null}: the server makes its own and shuts them down
         * in {@code stop()}.
         */
        public Builder eventLoops(EventLoopGroup eventLoops) {
            this.eventLoops = eventLoops;
            return this;
        }

        public GatewayServerOptions build() {
            if (connectTimeout.isNegative() || connectTimeout.isZero()) {
                throw new IllegalArgumentException("connectTimeout must be positive: " + connectTimeout);
            }
            if (broadcastFlushWindow.isNegative()) {
                throw new IllegalArgumentException("broadcastFlushWindow must not be negative: " + broadcastFlushWindow);
            }
            if (maxAttachments < 0) {
                throw new IllegalArgumentException("maxAttachments must be zero or more: " + maxAttachments);
            }
            if (maxConnectPayload < 0) {
                throw new IllegalArgumentException("maxConnectPayload must be zero or more: " + maxConnectPayload);
            }
            return new GatewayServerOptions(this);
        }
    }
}
