package io.realtime.gateway.config;

import io.realtime.cluster.RedisUris;
import io.realtime.cluster.recovery.RecoveryOptions;

import io.realtime.gateway.admin.AdminUiSettings;
import io.realtime.gateway.admission.AdmissionOptions;
import io.realtime.gateway.admission.ClientAddressOptions;
import io.realtime.gateway.auth.AuthSettings;
import io.realtime.gateway.auth.JwksKeyCache;
import io.realtime.gateway.engineio.EngineOptions;
import io.realtime.gateway.limits.EventLimits;
import io.realtime.gateway.limits.HttpLimits;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * The typed, immutable configuration of a node. {@link #load} builds it from the defaults of {@link Setting}, then
 * environment variables, then an optional properties file ({@code --config=FILE} or {@code CONFIG_FILE}), then
 * {@code --key=value} flags (the last one wins), checking every value and reporting all problems together;
 * {@link #builder()} builds one in code, starting from the same defaults.
 *
 * <p>Longer than most classes here because it is one accessor and one documented builder setter per setting;
 * reading the sources and checking the values live in {@link ConfigSources} and {@link ConfigReader}.
 */
public final class GatewayConfig {

    public static final String CONFIG_FILE_ENV = ConfigSources.CONFIG_FILE_ENV;

    private final String host;
    private final int port;
    private final int managementPort;
    private final String managementHost;
    private final Optional<String> redisUrl;
    private final String nodeId;
    private final EngineOptions engine;
    private final Duration connectTimeout;
    private final int maxAttachments;
    private final int maxConnectPayload;
    private final AdmissionOptions admission;
    private final HttpLimits httpLimits;
    private final ClientAddressOptions clientAddresses;
    private final TlsSettings tls;
    private final EventLimits eventLimits;
    private final int workerThreads;
    private final Duration broadcastFlushWindow;
    private final AuthSettings auth;
    private final Optional<String> apiKey;
    private final Duration dashboardInterval;
    private final Duration drainWindow;
    private final Duration preStopDelay;
    private final ClusterSettings cluster;
    private final boolean conformance;
    private final AdminUiSettings adminUi;
    private final Optional<RecoveryOptions> recovery;
    private final List<String> warnings;

    /** Why a cluster node refuses to start with recovery on over a transport that keeps no log to replay. */
    static final String RECOVERY_NEEDS_STREAMS = Setting.CONNECTION_STATE_RECOVERY.env() + "=true in a cluster needs"
            + " the streams transport: set " + Setting.REDIS_ADAPTER.env() + "=streams, or "
            + Setting.CONNECTION_STATE_RECOVERY.env() + "=false, or unset " + Setting.REDIS_URL.env() + " (a single node)";

    private GatewayConfig(Builder b) {
        this.host = b.host;
        this.port = b.port;
        this.managementPort = b.managementPort;
        this.managementHost = b.managementHost != null ? b.managementHost : b.host;
        this.redisUrl = Optional.ofNullable(b.redisUrl);
        this.nodeId = b.nodeId != null ? b.nodeId : hostName();
        this.engine = b.engine;
        this.connectTimeout = b.connectTimeout;
        this.maxAttachments = b.maxAttachments;
        this.maxConnectPayload = b.maxConnectPayload;
        this.admission = b.admission;
        this.httpLimits = b.httpLimits;
        this.clientAddresses = b.clientAddresses;
        this.tls = b.tls;
        this.eventLimits = b.eventLimits;
        this.workerThreads = b.workerThreads;
        this.broadcastFlushWindow = b.broadcastFlushWindow;
        this.auth = b.auth;
        this.apiKey = Optional.ofNullable(b.apiKey);
        this.dashboardInterval = b.dashboardInterval;
        this.drainWindow = b.drainWindow;
        this.preStopDelay = b.preStopDelay;
        this.cluster = b.cluster;
        this.conformance = b.conformance;
        this.adminUi = b.adminUi;
        this.recovery = Optional.ofNullable(b.recovery);
        this.warnings = List.copyOf(b.warnings);
    }

    /** Builds the configuration from the process environment and command-line arguments. */
    public static GatewayConfig load(Map<String, String> environment, String[] args) {
        List<String> problems = new ArrayList<>();
        ConfigSources sources = ConfigSources.read(environment, args, problems);
        List<String> warnings = new ArrayList<>(sources.warnings);
        return ConfigReader.read(new SettingValues(sources.values, sources.explicit, problems, warnings), sources.conformance);
    }

    /** A builder with every default of {@link Setting} (the node id defaults to the host name). */
    public static Builder builder() {
        return new Builder();
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public int managementPort() {
        return managementPort;
    }

    /** The address of the internal port (health, metrics, backend API), apart from {@link #host()}. */
    public String managementHost() {
        return managementHost;
    }

    public Optional<String> redisUrl() {
        return redisUrl;
    }

    public String nodeId() {
        return nodeId;
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

    /** Characters a namespace CONNECT packet may hold; 0: up to {@code maxHttpBufferSize}. */
    public int maxConnectPayload() {
        return maxConnectPayload;
    }

    /** Connection limits: node-wide, per address, handshakes per address. */
    public AdmissionOptions admission() {
        return admission;
    }

    public int maxConnections() {
        return admission.maxConnections();
    }

    public int maxConnectionsPerIp() {
        return admission.maxConnectionsPerAddress();
    }

    public int handshakesPerIp() {
        return admission.handshakesPerSecondPerAddress();
    }

    /** {@code REQUEST_TIMEOUT}, {@code IDLE_CONNECTION_TIMEOUT}, and the request line and header limits. */
    public HttpLimits httpLimits() {
        return httpLimits;
    }

    /** {@code PROXY_PROTOCOL}, {@code PROXY_PROTOCOL_FROM}, {@code TRUSTED_PROXIES}. */
    public ClientAddressOptions clientAddresses() {
        return clientAddresses;
    }

    public TlsSettings tls() {
        return tls;
    }

    public EventLimits eventLimits() {
        return eventLimits;
    }

    public int workerThreads() {
        return workerThreads;
    }

    public Duration broadcastFlushWindow() {
        return broadcastFlushWindow;
    }

    public AuthSettings auth() {
        return auth;
    }

    public Optional<String> apiKey() {
        return apiKey;
    }

    public Duration dashboardInterval() {
        return dashboardInterval;
    }

    public Duration drainWindow() {
        return drainWindow;
    }

    public Duration preStopDelay() {
        return preStopDelay;
    }

    public ClusterSettings cluster() {
        return cluster;
    }

    /** Whether the node runs the Socket.IO project's protocol test server instead of the product. */
    public boolean conformance() {
        return conformance;
    }

    /** The Socket.IO Admin UI: off by default. */
    public AdminUiSettings adminUi() {
        return adminUi;
    }

    /** socket.io's connectionStateRecovery: off (empty) by default. */
    public Optional<RecoveryOptions> recovery() {
        return recovery;
    }

    /** What the loaded settings allow but likely did not mean (a misspelled variable, a setting with no effect). */
    public List<String> warnings() {
        return warnings;
    }

    public boolean isClustered() {
        return redisUrl.isPresent();
    }

    /** One line per setting, secrets masked, for the start-up log. */
    public String describe() {
        StringJoiner out = new StringJoiner(", ");
        out.add("host=" + host).add("port=" + port).add("managementPort=" + managementPort)
                .add("managementHost=" + managementHost)
                .add("redisUrl=" + redisUrl.map(RedisUris::masked).orElse("(none)"))
                .add("redisSentinelPassword=" + cluster.sentinelPassword().map(password -> "****").orElse("(none)"))
                .add("nodeId=" + nodeId).add("path=" + engine.path())
                .add("pingInterval=" + engine.pingInterval().toMillis()).add("pingTimeout=" + engine.pingTimeout().toMillis())
                .add("maxHttpBufferSize=" + engine.maxPayload()).add("cors=" + engine.corsOrigins())
                .add("transports=" + engine.transports()).add("allowEIO3=" + engine.allowEIO3())
                .add("upgradeTimeout=" + engine.upgradeTimeout().toMillis()).add("connectTimeout=" + connectTimeout.toMillis())
                .add("maxAttachments=" + maxAttachments).add("maxConnectPayload=" + maxConnectPayload).add("maxConnections=" + maxConnections())
                .add("outboundLimit=" + engine.outboundLimit())
                .add("tls=" + (tls.enabled() ? "on " + tls.keystore().map(Path::toString)
                        .orElse(tls.certFile().map(Path::toString).orElse("") + " " + tls.keyFile().map(Path::toString).orElse(""))
                        : "off"))
                .add("maxConnectionsPerIp=" + maxConnectionsPerIp()).add("handshakesPerIp=" + handshakesPerIp())
                .add("requestTimeout=" + httpLimits.requestTimeout().toMillis())
                .add("idleConnectionTimeout=" + httpLimits.idleTimeout().toMillis())
                .add("proxyProtocol=" + clientAddresses.proxyProtocol())
                .add("proxyProtocolFrom=" + clientAddresses.proxyProtocolFrom())
                .add("trustedProxies=" + clientAddresses.trustedProxies())
                .add("forwardedHeader=" + clientAddresses.forwardedHeader().setting())
                .add("eventRate=" + eventLimits.ratePerSecond()).add("eventBurst=" + eventLimits.burst())
                .add("abuseDisconnectAfter=" + eventLimits.disconnectAfter())
                .add("workerThreads=" + workerThreads)
                .add("broadcastFlushWindow=" + broadcastFlushWindow.toMillis())
                .add("authMode=" + auth.mode().name().toLowerCase())
                .add("jwtKeys=" + (auth.secret().isPresent() ? "secret(****)" : auth.publicKeyFile().map(Path::toString)
                        .or(() -> auth.jwksUrl().map(JwksKeyCache::shown)).orElse("(none)")))
                .add("jwtIssuer=" + auth.issuer().orElse("(any)")).add("jwtAudience=" + auth.audience().orElse("(any)"))
                .add("authPublicNamespaces=" + auth.publicNamespaces())
                .add("authRequiredNamespaces=" + auth.requiredNamespaces().map(Object::toString).orElse("(unset)"))
                .add("tokenExpiryGrace=" + auth.tokenExpiryGrace().toMillis())
                .add("apiKey=" + (apiKey.isPresent() ? "****" : "(none: loopback only)"))
                .add("dashboardInterval=" + dashboardInterval.toMillis()).add("drainWindow=" + drainWindow.toMillis())
                .add("preStopDelay=" + preStopDelay.toMillis())
                .add("redisKey=" + cluster.key()).add("clusterRequestTimeout=" + cluster.requestTimeout().toMillis())
                .add("outageBufferSize=" + cluster.outageBufferSize()).add("outageBufferAge=" + cluster.outageBufferAge().toMillis())
                .add("redisCommandQueueSize=" + cluster.commandQueueSize())
                .add("adminUi=" + adminUi.mode().name().toLowerCase() + (adminUi.enabled() ? " " + adminUi.namespace()
                        + (adminUi.authenticate() ? " user " + adminUi.username().orElse("") + " hash(****)" : " auth=none")
                        + (adminUi.readonly() ? " readonly" : "") + " origins " + adminUi.origins() : ""))
                .add("redisAdapter=" + cluster.transport().wireName())
                .add("redisSubscriptionMode=" + cluster.subscriptionMode().wireName())
                .add("redisStreamMaxLen=" + cluster.streamMaxLen())
                .add("connectionStateRecovery=" + recovery.isPresent()
                        + recovery.map(r -> " maxDisconnectionDuration=" + r.maxDisconnectionDuration().toMillis()
                                + " recoveryLogBytes=" + r.maxLogBytes()).orElse(""));
        return out.toString();
    }

    static String hostName() {
        String fromEnv = System.getenv("HOSTNAME");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "node";
        }
    }

    /**
     * Collects a configuration; each setter names its setting and default. Setters take any value; {@link #build()}
     * checks what a node cannot run with (for files, flags and environment, {@link #load} reports problems first).
     */
    public static final class Builder {
        private String host = "0.0.0.0";
        private int port = 3000;
        private int managementPort = 9090;
        private String managementHost;
        private String redisUrl;
        private String nodeId;
        private EngineOptions engine = EngineOptions.defaults();
        private Duration connectTimeout = Duration.ofSeconds(45);
        private int maxAttachments = 10;
        private int maxConnectPayload = 16_384;
        private AdmissionOptions admission = new AdmissionOptions(20_000, 0, 0);
        private HttpLimits httpLimits = HttpLimits.DEFAULTS;
        private ClientAddressOptions clientAddresses = ClientAddressOptions.DIRECT;
        private TlsSettings tls = TlsSettings.NONE;
        private EventLimits eventLimits = new EventLimits(100, 200, 50);
        private int workerThreads;
        private Duration broadcastFlushWindow = Duration.ofMillis(5);
        private AuthSettings auth = AuthSettings.none();
        private String apiKey;
        private Duration dashboardInterval = Duration.ofSeconds(5);
        private Duration drainWindow = Duration.ofSeconds(10);
        private Duration preStopDelay = Duration.ofSeconds(5);
        private ClusterSettings cluster = ClusterSettings.DEFAULTS;
        private boolean conformance;
        private RecoveryOptions recovery;
        private AdminUiSettings adminUi = AdminUiSettings.off();
        private List<String> warnings = List.of();

        private Builder() {
        }

        /** {@code SOCKETIO_HOST}; default {@code 0.0.0.0}. */
        public Builder host(String host) {
            this.host = host;
            return this;
        }

        /** {@code SOCKETIO_PORT}; default 3000 ({@code 0}: any free port). */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** {@code MANAGEMENT_PORT}; default 9090 ({@code 0}: any free port). */
        public Builder managementPort(int managementPort) {
            this.managementPort = managementPort;
            return this;
        }

        /**
         * {@code MANAGEMENT_HOST}; default {@code null}: {@link #host}'s address, so a node kept on one address keeps
         * its internal port there too. Set apart when the Socket.IO port is on loopback behind a sidecar: the probes and
         * Prometheus must still reach the internal port.
         */
        public Builder managementHost(String managementHost) {
            this.managementHost = managementHost;
            return this;
        }

        /** {@code REDIS_URL}; default {@code null}: single node, in memory. */
        public Builder redisUrl(String redisUrl) {
            this.redisUrl = redisUrl;
            return this;
        }

        /** {@code NODE_ID}; default {@code null}: the host name. */
        public Builder nodeId(String nodeId) {
            this.nodeId = nodeId;
            return this;
        }

        /** Path, pings, payload limit, transports, EIO3, CORS, outbound limit; default {@link EngineOptions#defaults()}. */
        public Builder engine(EngineOptions engine) {
            this.engine = engine;
            return this;
        }

        /** {@code CONNECT_TIMEOUT}; default 45 s. */
        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
            return this;
        }

        /** {@code MAX_ATTACHMENTS}; default 10. */
        public Builder maxAttachments(int maxAttachments) {
            this.maxAttachments = maxAttachments;
            return this;
        }

        /** {@code MAX_CONNECT_PAYLOAD}; default 16384 characters; 0: up to {@code maxHttpBufferSize}. */
        public Builder maxConnectPayload(int maxConnectPayload) {
            this.maxConnectPayload = maxConnectPayload;
            return this;
        }

        /** {@code MAX_CONNECTIONS}, {@code MAX_CONNECTIONS_PER_IP}, {@code HANDSHAKES_PER_IP}; default 20000, 0, 0. */
        public Builder admission(AdmissionOptions admission) {
            this.admission = admission;
            return this;
        }

        /** {@code REQUEST_TIMEOUT}, {@code IDLE_CONNECTION_TIMEOUT}; default {@link HttpLimits#DEFAULTS} (10 s, 30 s). */
        public Builder httpLimits(HttpLimits httpLimits) {
            this.httpLimits = httpLimits;
            return this;
        }

        /** {@code PROXY_PROTOCOL}, {@code PROXY_PROTOCOL_FROM}, {@code TRUSTED_PROXIES}; default {@link ClientAddressOptions#DIRECT}: neither. */
        public Builder clientAddresses(ClientAddressOptions clientAddresses) {
            this.clientAddresses = clientAddresses;
            return this;
        }

        /** {@code TLS_*}; default none: plain. */
        public Builder tls(TlsSettings tls) {
            this.tls = tls;
            return this;
        }

        /** {@code EVENT_RATE}, {@code EVENT_BURST}, {@code ABUSE_DISCONNECT_AFTER}; default 100/s, 200, 50. */
        public Builder eventLimits(EventLimits eventLimits) {
            this.eventLimits = eventLimits;
            return this;
        }

        /** {@code WORKER_THREADS}; default 0: one per core. */
        public Builder workerThreads(int workerThreads) {
            this.workerThreads = workerThreads;
            return this;
        }

        /** {@code BROADCAST_FLUSH_WINDOW}; default 5 ms. */
        public Builder broadcastFlushWindow(Duration broadcastFlushWindow) {
            this.broadcastFlushWindow = broadcastFlushWindow;
            return this;
        }

        /** {@code AUTH_MODE}, {@code JWT_*}; default {@link AuthSettings#none()}. */
        public Builder auth(AuthSettings auth) {
            this.auth = auth;
            return this;
        }

        /** {@code API_KEY}; default {@code null}: loopback callers only. */
        public Builder apiKey(String apiKey) {
            this.apiKey = apiKey;
            return this;
        }

        /** {@code DASHBOARD_INTERVAL}; default 5 s. */
        public Builder dashboardInterval(Duration dashboardInterval) {
            this.dashboardInterval = dashboardInterval;
            return this;
        }

        /** {@code DRAIN_WINDOW}; default 10 s. */
        public Builder drainWindow(Duration drainWindow) {
            this.drainWindow = drainWindow;
            return this;
        }

        /** {@code PRE_STOP_DELAY}; default 5 s. */
        public Builder preStopDelay(Duration preStopDelay) {
            this.preStopDelay = preStopDelay;
            return this;
        }

        /** {@code REDIS_KEY}, {@code CLUSTER_REQUEST_TIMEOUT}, {@code OUTAGE_BUFFER_*}; default {@link ClusterSettings#DEFAULTS}. */
        public Builder cluster(ClusterSettings cluster) {
            this.cluster = cluster;
            return this;
        }

        /** {@code --conformance}; default false. */
        public Builder conformance(boolean conformance) {
            this.conformance = conformance;
            return this;
        }

        /** The {@code ADMIN_UI*} settings; default off. */
        public Builder adminUi(AdminUiSettings adminUi) {
            this.adminUi = adminUi;
            return this;
        }

        /**
         * {@code CONNECTION_STATE_RECOVERY}, {@code MAX_DISCONNECTION_DURATION}, {@code RECOVERY_LOG_BYTES}; default
         * {@code null}: off. On, a single node keeps sessions and recent packets in memory.
         */
        public Builder recovery(RecoveryOptions recovery) {
            this.recovery = recovery;
            return this;
        }

        /** What the start-up log warns about; default none. */
        public Builder warnings(List<String> warnings) {
            this.warnings = List.copyOf(warnings);
            return this;
        }

        /** @throws IllegalArgumentException naming the first value a node cannot run with */
        public GatewayConfig build() {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(engine, "engine");
            Objects.requireNonNull(admission, "admission");
            Objects.requireNonNull(httpLimits, "httpLimits");
            Objects.requireNonNull(clientAddresses, "clientAddresses");
            Objects.requireNonNull(tls, "tls");
            Objects.requireNonNull(eventLimits, "eventLimits");
            Objects.requireNonNull(auth, "auth");
            Objects.requireNonNull(cluster, "cluster");
            Objects.requireNonNull(adminUi, "adminUi");
            Objects.requireNonNull(broadcastFlushWindow, "broadcastFlushWindow");
            if (broadcastFlushWindow.isNegative()) {
                throw new IllegalArgumentException("broadcastFlushWindow must not be negative: " + broadcastFlushWindow);
            }
            requirePort(port, "port");
            requirePort(managementPort, "managementPort");
            if (port == managementPort && port != 0) {
                throw new IllegalArgumentException("managementPort must differ from port (" + port + ")");
            }
            if (recovery != null && redisUrl != null && cluster.transport() != io.realtime.cluster.TransportKind.STREAMS) {
                throw new IllegalArgumentException(RECOVERY_NEEDS_STREAMS);
            }
            requirePositive(connectTimeout, "connectTimeout");
            requirePositive(dashboardInterval, "dashboardInterval");
            if (drainWindow == null || drainWindow.isNegative()) {
                throw new IllegalArgumentException("drainWindow must be zero (close every client at once) or more");
            }
            requirePositive(preStopDelay, "preStopDelay");
            if (maxAttachments < 0 || workerThreads < 0 || maxConnectPayload < 0) {
                throw new IllegalArgumentException("maxAttachments, maxConnectPayload and workerThreads must be zero or more");
            }
            return new GatewayConfig(this);
        }

        private static void requirePort(int port, String name) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException(name + " is not a port number (0-65535): " + port);
            }
        }

        private static void requirePositive(Duration value, String name) {
            if (value == null || value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + " must be positive: " + value);
            }
        }
    }
}
