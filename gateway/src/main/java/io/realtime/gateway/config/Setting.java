package io.realtime.gateway.config;

/**
 * Every setting of a node: its key (config file and {@code --key=value} flag), its environment variable, its
 * default and what it means. The README's configuration table is this enum, word for word
 * (ReadmeConfigurationTableTest compares them).
 */
public enum Setting {
    PORT("port", "SOCKETIO_PORT", "3000", "Socket.IO port (socket.io's convention; 0: any free port)"),
    HOST("host", "SOCKETIO_HOST", "0.0.0.0", "address the Socket.IO port binds to"),
    MANAGEMENT_PORT("managementPort", "MANAGEMENT_PORT", "9090", "internal port: health, metrics and the backend API (0: any free port)"),
    MANAGEMENT_HOST("managementHost", "MANAGEMENT_HOST", "",
            "address the internal port binds to; default: SOCKETIO_HOST's. Set it (0.0.0.0, or the pod's address) when the Socket.IO port is on loopback behind a sidecar: kubelet probes and Prometheus must reach the internal port"),
    REDIS_URL("redisUrl", "REDIS_URL", "",
            "Redis URI (redis://, rediss://, redis-sentinel://h:p#master, rediss-sentinel://, redis-cluster://h1:p1,h2:p2,"
                    + " rediss-cluster://, where ?verifyPeer=FULL|CA|NONE is accepted); unset: single node, in memory; set but"
                    + " empty: the same, with a warning"),
    NODE_ID("nodeId", "NODE_ID", "", "this node's name in the cluster; default: the host name"),
    PATH("path", "SOCKETIO_PATH", "/socket.io/", "request path of Socket.IO (socket.io's path)"),
    PING_INTERVAL("pingInterval", "PING_INTERVAL", "25000",
            "ms between server pings (socket.io's pingInterval); a ping goes out up to a tick late (a two-hundredth of"
                    + " the shorter of the two settings, 1 to 100 ms) so that those due together share one wake-up of the node"),
    PING_TIMEOUT("pingTimeout", "PING_TIMEOUT", "20000",
            "ms to wait for a pong before closing (socket.io's pingTimeout), up to a tick late as well"),
    MAX_HTTP_BUFFER_SIZE("maxHttpBufferSize", "MAX_HTTP_BUFFER_SIZE", "1000000",
            "largest message or polling body in bytes (socket.io's maxHttpBufferSize)"),
    CORS("cors", "CORS_ORIGINS", "", "comma-separated origins (lowercase scheme://host[:port], as browsers send them) allowed cross-origin, * for any; empty: no CORS headers; set, other origins are refused (WebSocket too)"),
    TRANSPORTS("transports", "TRANSPORTS", "polling,websocket", "accepted transports (socket.io's transports)"),
    ALLOW_EIO3("allowEIO3", "ALLOW_EIO3", "false", "accept socket.io-client 2.x (Engine.IO v3) clients (socket.io's allowEIO3)"),
    UPGRADE_TIMEOUT("upgradeTimeout", "UPGRADE_TIMEOUT", "10000", "ms a WebSocket upgrade may take (socket.io's upgradeTimeout)"),
    CONNECT_TIMEOUT("connectTimeout", "CONNECT_TIMEOUT", "45000",
            "ms a connection may stay without joining a namespace (socket.io's connectTimeout)"),
    MAX_ATTACHMENTS("maxAttachments", "MAX_ATTACHMENTS", "10", "most binary attachments in one packet"),
    MAX_CONNECT_PAYLOAD("maxConnectPayload", "MAX_CONNECT_PAYLOAD", "16384",
            "characters of a namespace CONNECT packet with its auth payload, which the socket keeps for life (0: up to maxHttpBufferSize, as socket.io)"),
    EVENT_RATE("eventRate", "EVENT_RATE", "100", "events per second one connection may send, sustained (0: no limit)"),
    EVENT_BURST("eventBurst", "EVENT_BURST", "200", "events one connection may send at once (at least 1 while eventRate is set)"),
    ABUSE_DISCONNECT_AFTER("abuseDisconnectAfter", "ABUSE_DISCONNECT_AFTER", "50",
            "events refused after which the connection is closed, counted until a second passes without a refusal (events let through meanwhile do not reset it; 0: never)"),
    OUTBOUND_LIMIT("outboundLimit", "OUTBOUND_LIMIT", "4194304",
            "bytes that may wait for one slow client before it is disconnected (0: no limit, else at least 65536); volatile broadcasts skip it past 1/16"),
    BROADCAST_FLUSH_WINDOW("broadcastFlushWindow", "BROADCAST_FLUSH_WINDOW", "5",
            "ms a connection's broadcasts may wait to go out together: one sent within this of the last goes in one send with those that follow (0: each at once)"),
    TLS_CERT_FILE("tlsCertFile", "TLS_CERT_FILE", "", "PEM certificate chain for TLS on the Socket.IO port (with TLS_KEY_FILE)"),
    TLS_KEY_FILE("tlsKeyFile", "TLS_KEY_FILE", "", "PEM private key (PKCS#8) for TLS on the Socket.IO port"),
    TLS_KEYSTORE_FILE("tlsKeystoreFile", "TLS_KEYSTORE_FILE", "", "PKCS#12 keystore for TLS on the Socket.IO port (instead of PEM files)"),
    TLS_KEYSTORE_PASSWORD("tlsKeystorePassword", "TLS_KEYSTORE_PASSWORD", "", "password of TLS_KEYSTORE_FILE"),
    MAX_CONNECTIONS_PER_IP("maxConnectionsPerIp", "MAX_CONNECTIONS_PER_IP", "0",
            "connections one client address may hold (0: no limit; behind a proxy every client shares its address)"),
    HANDSHAKES_PER_IP("handshakesPerIp", "HANDSHAKES_PER_IP", "0", "handshakes per second one client address may make, in bursts of up to twice that (0: no limit)"),
    MAX_CONNECTIONS("maxConnections", "MAX_CONNECTIONS", "20000",
            "connections this node accepts at once; past it a handshake gets 503 server_full (0: no limit)"),
    REQUEST_TIMEOUT("requestTimeout", "REQUEST_TIMEOUT", "10000",
            "ms an HTTP request may take to arrive whole (headers and body), from its first byte or the connection's opening"),
    IDLE_CONNECTION_TIMEOUT("idleConnectionTimeout", "IDLE_CONNECTION_TIMEOUT", "30000",
            "ms a keep-alive connection may stay with no request in flight (a held long-poll and a WebSocket are not idle)"),
    PROXY_PROTOCOL("proxyProtocol", "PROXY_PROTOCOL", "false",
            "every connection starts with a PROXY protocol v1/v2 header from the balancer, whose source is the client address (needs PROXY_PROTOCOL_FROM)"),
    PROXY_PROTOCOL_FROM("proxyProtocolFrom", "PROXY_PROTOCOL_FROM", "",
            "CIDRs of the balancers that send the PROXY header (comma-separated), required with PROXY_PROTOCOL; a connection from any other peer is closed unread"),
    TRUSTED_PROXIES("trustedProxies", "TRUSTED_PROXIES", "",
            "CIDRs whose forwarding header (FORWARDED_HEADER) names the client (comma-separated); from others it is ignored"),
    FORWARDED_HEADER("forwardedHeader", "FORWARDED_HEADER", "x-forwarded-for",
            "the header the trusted proxies write the client into: x-forwarded-for or forwarded (RFC 7239); only that one is read"),
    WORKER_THREADS("workerThreads", "WORKER_THREADS", "0", "Netty event loop threads; 0: one per core"),
    AUTH_MODE("authMode", "AUTH_MODE", "none", "none (clients may name themselves with auth.userId, unverified) or jwt"),
    JWT_SECRET("jwtSecret", "JWT_SECRET", "", "HS256/384/512 shared secret, at least 32 bytes; HS384 tokens need 48 bytes, HS512 tokens 64 (shorter: refused)"),
    JWT_PUBLIC_KEY_FILE("jwtPublicKeyFile", "JWT_PUBLIC_KEY_FILE", "", "PEM file of the RS/PS/ES public key that signs tokens"),
    JWT_JWKS_URL("jwtJwksUrl", "JWT_JWKS_URL", "", "JWKS endpoint of the token issuer (cached, refreshed every 5 minutes); needs JWT_AUDIENCE"),
    JWT_ISSUER("jwtIssuer", "JWT_ISSUER", "", "required iss claim, when set"),
    JWT_AUDIENCE("jwtAudience", "JWT_AUDIENCE", "", "required aud claim, when set (required with JWT_JWKS_URL)"),
    AUTH_REQUIRED_NAMESPACES("authRequiredNamespaces", "AUTH_REQUIRED_NAMESPACES", "",
            "deprecated (jwt now requires a token everywhere): when set, only these namespaces (* for all) need a token, the rest are public"),
    AUTH_PUBLIC_NAMESPACES("authPublicNamespaces", "AUTH_PUBLIC_NAMESPACES", "",
            "with jwt, namespaces anonymous clients may join (comma-separated); a token given there must still be valid"),
    TOKEN_EXPIRY_GRACE("tokenExpiryGrace", "TOKEN_EXPIRY_GRACE", "30000",
            "ms after its token's exp a socket is told (exception token_expired) and disconnected, to reconnect with a fresh token; also the clock skew a handshake allows, up to 60 s"),
    API_KEY("apiKey", "API_KEY", "", "bearer key of the backend API; empty: loopback callers only"),
    DASHBOARD_INTERVAL("dashboardInterval", "DASHBOARD_INTERVAL", "5000", "ms between dashboardUpdate events"),
    PRE_STOP_DELAY("preStopDelay", "PRE_STOP_DELAY", "5000",
            "ms GET /lifecycle/pre-stop holds Kubernetes' preStop hook after turning the node unready"),
    DRAIN_WINDOW("drainWindow", "DRAIN_WINDOW", "10000",
            "ms over which a stopping node disconnects its clients (keep it below Kubernetes' grace period)"),
    REDIS_SENTINEL_PASSWORD("redisSentinelPassword", "REDIS_SENTINEL_PASSWORD", "",
            "password of the Sentinels themselves (requirepass in sentinel.conf) with a redis-sentinel:// REDIS_URL, whose own password is the primary's"),
    REDIS_KEY("redisKey", "REDIS_KEY", "socket.io", "channel prefix in Redis (the key option of @socket.io/redis-adapter); on streams also the stream's name and the sessions' key prefix (<key>:session:, but sio:session: for socket.io)"),
    CLUSTER_REQUEST_TIMEOUT("clusterRequestTimeout", "CLUSTER_REQUEST_TIMEOUT", "5000",
            "ms cluster requests (fetchSockets, serverSideEmitWithAck) wait for every node (requestsTimeout)"),
    OUTAGE_BUFFER_SIZE("outageBufferSize", "OUTAGE_BUFFER_SIZE", "10000", "broadcasts (stream appends on the streams transport) held while Redis is unreachable, sent when it is back (0: none held, each is dropped and counted)"),
    OUTAGE_BUFFER_AGE("outageBufferAge", "OUTAGE_BUFFER_AGE", "30000", "ms a held broadcast may wait and still be sent"),
    REDIS_COMMAND_QUEUE_SIZE("redisCommandQueueSize", "REDIS_COMMAND_QUEUE_SIZE", "65536",
            "commands one Redis connection may have waiting for Redis (when it is slow); beyond them a broadcast or stream append is held as in an outage and sent in publish order as Redis answers, a request fails at once"),
    REDIS_ADAPTER("redisAdapter", "REDIS_ADAPTER", "classic",
            "cluster transport: classic (createAdapter, emitter), sharded (createShardedAdapter, Redis 7) or streams (redis-streams-adapter; needed for recovery in a cluster)"),
    REDIS_STREAM_MAX_LEN("redisStreamMaxLen", "REDIS_STREAM_MAX_LEN", "10000",
            "streams transport: MAXLEN ~ of the stream (redis-streams-adapter's maxLen), how far back a session can be recovered"),
    REDIS_SUBSCRIPTION_MODE("redisSubscriptionMode", "REDIS_SUBSCRIPTION_MODE", "dynamic",
            "sharded transport's subscriptionMode: static, dynamic (a channel per room) or dynamic-private (also per socket)"),
    CONNECTION_STATE_RECOVERY("connectionStateRecovery", "CONNECTION_STATE_RECOVERY", "false",
            "socket.io's connectionStateRecovery: a client that reconnects gets its socket id, rooms, data and missed events back"),
    MAX_DISCONNECTION_DURATION("maxDisconnectionDuration", "MAX_DISCONNECTION_DURATION", "120000",
            "ms a disconnected socket's session can be recovered (socket.io's maxDisconnectionDuration)"),
    RECOVERY_LOG_BYTES("recoveryLogBytes", "RECOVERY_LOG_BYTES", "33554432",
            "single node: estimated bytes of heap each namespace's log of recent events may take for recovery (two a character); past it the oldest go, and a client that missed one gets a new session"),
    ADMIN_UI("adminUi", "ADMIN_UI", "off",
            "Socket.IO Admin UI: off, production (stats and commands) or development (also every socket and event)"),
    ADMIN_UI_NAMESPACE("adminUiNamespace", "ADMIN_UI_NAMESPACE", "/admin", "namespace of the Admin UI (instrument()'s namespaceName)"),
    ADMIN_UI_USERNAME("adminUiUsername", "ADMIN_UI_USERNAME", "", "Admin UI login name"),
    ADMIN_UI_PASSWORD_HASH("adminUiPasswordHash", "ADMIN_UI_PASSWORD_HASH", "", "bcrypt hash of the Admin UI password"),
    ADMIN_UI_AUTH("adminUiAuth", "ADMIN_UI_AUTH", "basic", "basic (username and password hash required) or none (local runs only)"),
    ADMIN_UI_READONLY("adminUiReadonly", "ADMIN_UI_READONLY", "false", "Admin UI shows but refuses every command (join, leave, disconnect, emit)"),
    ADMIN_UI_ORIGINS("adminUiOrigins", "ADMIN_UI_ORIGINS", "",
            "comma-separated origins of an Admin UI hosted elsewhere (CORS with credentials; they join CORS_ORIGINS, which must then be set); the node's own /admin-ui/ needs none");

    private final String key;
    private final String env;
    private final String defaultValue;
    private final String description;

    Setting(String key, String env, String defaultValue, String description) {
        this.key = key;
        this.env = env;
        this.defaultValue = defaultValue;
        this.description = description;
    }

    public String key() {
        return key;
    }

    public String env() {
        return env;
    }

    public String defaultValue() {
        return defaultValue;
    }

    public String description() {
        return description;
    }

    /** The setting named {@code name} by its key or its variable; {@code null} when none is. */
    public static Setting byName(String name) {
        for (Setting setting : values()) {
            if (setting.key.equals(name) || setting.env.equals(name)) {
                return setting;
            }
        }
        return null;
    }

    /** Whether the value may hold a secret (a password in a URI) and must be masked when printed. */
    public boolean isSecret() {
        return this == REDIS_URL || this == REDIS_SENTINEL_PASSWORD || this == JWT_SECRET || this == API_KEY || this == TLS_KEYSTORE_PASSWORD
                || this == ADMIN_UI_PASSWORD_HASH;
    }
}
