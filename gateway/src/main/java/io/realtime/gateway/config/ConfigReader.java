package io.realtime.gateway.config;

import io.realtime.cluster.RedisUris;
import io.realtime.cluster.SubscriptionMode;
import io.realtime.cluster.TransportKind;
import io.realtime.cluster.recovery.RecoveryOptions;
import io.realtime.gateway.admin.AdminUiSettings;
import io.realtime.gateway.admission.AdmissionOptions;
import io.realtime.gateway.admission.ClientAddressOptions;
import io.realtime.gateway.admission.TrustedProxies;
import io.realtime.gateway.auth.AuthSettings;
import io.realtime.gateway.engineio.EngineOptions;
import io.realtime.gateway.limits.EventLimits;
import io.realtime.gateway.limits.HttpLimits;
import io.realtime.gateway.limits.OutboundLimit;

import java.net.MalformedURLException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/** Turns the raw values of every setting into a {@link GatewayConfig}, checking each and reporting all problems. */
final class ConfigReader {

    /** An origin as a browser serializes it: lowercase scheme and host (IDNs in punycode), a port only if not default. */
    private static final java.util.regex.Pattern ORIGIN =
            java.util.regex.Pattern.compile("[a-z][a-z0-9+.-]*://([a-z0-9-]+(\\.[a-z0-9-]+)*|\\[[0-9a-f:.]+\\])(:[0-9]{1,5})?");

    private ConfigReader() {
    }

    static GatewayConfig read(SettingValues v, boolean conformance) {
        int port = v.port(Setting.PORT);
        int managementPort = v.port(Setting.MANAGEMENT_PORT);
        if (port == managementPort && port != 0) {
            v.problem(Setting.MANAGEMENT_PORT.env() + ": must differ from " + Setting.PORT.env() + " (" + port + ")");
        }
        // A secret made from a file often ends with a newline.
        Optional<String> redis = v.optional(Setting.REDIS_URL).map(String::strip);
        redis.ifPresent(url -> checkRedisUrl(url, v));
        String host = v.text(Setting.HOST);
        if (host.isBlank()) {
            v.problem(Setting.HOST.env() + ": is empty (0.0.0.0 binds every interface)");
        }
        String redisKey = v.text(Setting.REDIS_KEY);
        if (redisKey.isBlank() && redis.isPresent()) {
            // @socket.io/redis-adapter and the emitters take an empty key as their default (opts.key || "socket.io"):
            // channels named from an empty prefix would reach none of them.
            v.problem(Setting.REDIS_KEY.env() + ": is empty (the Node adapters and emitters use socket.io then: unset it,"
                    + " or name their key)");
        }
        // Following SOCKETIO_HOST by default: a node whose Socket.IO port was kept on one address keeps its internal
        // port there too, rather than opening health, metrics and the backend API on every interface.
        String managementHost = v.optional(Setting.MANAGEMENT_HOST).orElse(host);
        if (v.isExplicit(Setting.MANAGEMENT_HOST) && v.text(Setting.MANAGEMENT_HOST).isBlank()) {
            // Set but empty is a template that rendered nothing (MANAGEMENT_HOST: $(POD_IP)), not a wish to follow
            // SOCKETIO_HOST: behind a sidecar that would put the probes' port on loopback.
            v.problem(Setting.MANAGEMENT_HOST.env() + ": is empty (unset it to follow " + Setting.HOST.env()
                    + ", or 0.0.0.0 binds every interface)");
        }
        String path = v.text(Setting.PATH);
        if (!path.startsWith("/")) {
            v.problem(Setting.PATH.env() + ": must start with '/': " + path);
        }
        Set<String> transports = v.list(Setting.TRANSPORTS);
        if (transports.isEmpty() || !Set.of(EngineOptions.POLLING, EngineOptions.WEBSOCKET).containsAll(transports)) {
            v.problem(Setting.TRANSPORTS.env() + ": expected polling and/or websocket, got '" + v.text(Setting.TRANSPORTS) + "'");
        }
        List<String> cors = List.copyOf(v.list(Setting.CORS));
        AdminUiSettings adminUi = AdminUiSettings.parse(v::text, v.problems());
        checkOrigins(v, Setting.CORS, cors);
        checkOrigins(v, Setting.ADMIN_UI_ORIGINS, adminUi.origins());
        if (adminUi.enabled() && !adminUi.origins().isEmpty()) {
            if (cors.isEmpty()) {
                // Without an allow-list every origin is served; the UI's origins alone would make one that refuses the
                // application's own browsers.
                v.problem(Setting.ADMIN_UI_ORIGINS.env() + " joins the CORS allow-list, which is off (" + Setting.CORS.env()
                        + " is empty): set " + Setting.CORS.env() + " to the application's origins (or *) as well");
            }
            // The UI's own origins (when it is hosted elsewhere) join the allow-list.
            cors = java.util.stream.Stream.concat(cors.stream(), adminUi.origins().stream()).distinct().toList();
        }
        var pingInterval = v.millis(Setting.PING_INTERVAL);
        var pingTimeout = v.millis(Setting.PING_TIMEOUT);
        int maxPayload = v.positiveInt(Setting.MAX_HTTP_BUFFER_SIZE);
        var upgradeTimeout = v.millis(Setting.UPGRADE_TIMEOUT);
        boolean allowEIO3 = v.bool(Setting.ALLOW_EIO3);
        int outboundLimit = v.zeroOrAtLeast(Setting.OUTBOUND_LIMIT, OutboundLimit.SMALLEST_CONFIGURED, "bytes");
        TransportKind transport = transportKind(v);
        warnAboutSettingsWithoutEffect(v, redis.isPresent(), transport);
        GatewayConfig.Builder builder = GatewayConfig.builder()
                .host(host)
                .port(port)
                .managementPort(managementPort)
                .managementHost(managementHost)
                .redisUrl(redis.orElse(null))
                .nodeId(v.optional(Setting.NODE_ID).orElseGet(GatewayConfig::hostName))
                .connectTimeout(v.millis(Setting.CONNECT_TIMEOUT))
                .maxAttachments(v.nonNegativeInt(Setting.MAX_ATTACHMENTS))
                .maxConnectPayload(v.nonNegativeInt(Setting.MAX_CONNECT_PAYLOAD))
                .admission(new AdmissionOptions(v.nonNegativeInt(Setting.MAX_CONNECTIONS),
                        v.nonNegativeInt(Setting.MAX_CONNECTIONS_PER_IP), v.nonNegativeInt(Setting.HANDSHAKES_PER_IP)))
                .httpLimits(HttpLimits.DEFAULTS.withTimeouts(v.millis(Setting.REQUEST_TIMEOUT),
                        v.millis(Setting.IDLE_CONNECTION_TIMEOUT)))
                .clientAddresses(clientAddresses(v))
                .tls(tls(v))
                .eventLimits(eventLimits(v))
                .workerThreads(v.nonNegativeInt(Setting.WORKER_THREADS))
                .broadcastFlushWindow(v.millisOrZero(Setting.BROADCAST_FLUSH_WINDOW))
                .apiKey(v.optional(Setting.API_KEY).orElse(null))
                .dashboardInterval(v.millis(Setting.DASHBOARD_INTERVAL))
                .drainWindow(v.millisOrZero(Setting.DRAIN_WINDOW))
                .preStopDelay(v.millis(Setting.PRE_STOP_DELAY))
                .cluster(new ClusterSettings(redisKey, v.millis(Setting.CLUSTER_REQUEST_TIMEOUT),
                        v.nonNegativeInt(Setting.OUTAGE_BUFFER_SIZE), v.millis(Setting.OUTAGE_BUFFER_AGE),
                        transport, subscriptionMode(v), v.positiveInt(Setting.REDIS_STREAM_MAX_LEN),
                        sentinelPassword(v, redis), v.positiveInt(Setting.REDIS_COMMAND_QUEUE_SIZE)))
                .auth(auth(v))
                .conformance(conformance)
                .adminUi(adminUi)
                .recovery(recovery(v, redis.isPresent() && transport != TransportKind.STREAMS))
                .warnings(v.warnings());
        if (!v.problems().isEmpty()) {
            throw new ConfigException(v.problems());
        }
        String normalizedPath = path.endsWith("/") ? path : path + "/";
        return builder.engine(new EngineOptions(normalizedPath, pingInterval, pingTimeout, maxPayload, upgradeTimeout,
                transports, allowEIO3, cors, outboundLimit)).build();
    }

    private static EventLimits eventLimits(SettingValues v) {
        int rate = v.nonNegativeInt(Setting.EVENT_RATE);
        int burst = v.nonNegativeInt(Setting.EVENT_BURST);
        if (rate > 0 && burst == 0) {
            v.problem(Setting.EVENT_BURST.env() + ": must be at least 1 while " + Setting.EVENT_RATE.env()
                    + " limits events (a connection could send none)");
        }
        return new EventLimits(rate, burst, v.nonNegativeInt(Setting.ABUSE_DISCONNECT_AFTER));
    }

    /**
     * Settings an operator set that the rest of the configuration ignores: each likely means something else was
     * meant (a cluster without its URL, JWT keys without {@code AUTH_MODE=jwt}), so the start-up log says so.
     */
    private static void warnAboutSettingsWithoutEffect(SettingValues v, boolean clustered, TransportKind transport) {
        if (v.isExplicit(Setting.REDIS_URL) && !clustered) {
            v.warning(Setting.REDIS_URL.env() + " is set but empty: this node runs alone, in memory");
        }
        if (!clustered) {
            ignoredWithout(v, Setting.REDIS_URL.env() + " (single node)", Setting.REDIS_ADAPTER, Setting.REDIS_KEY,
                    Setting.REDIS_SUBSCRIPTION_MODE, Setting.REDIS_STREAM_MAX_LEN, Setting.CLUSTER_REQUEST_TIMEOUT,
                    Setting.OUTAGE_BUFFER_SIZE, Setting.OUTAGE_BUFFER_AGE, Setting.REDIS_COMMAND_QUEUE_SIZE);
        } else {
            if (transport != TransportKind.SHARDED) {
                ignoredWithout(v, Setting.REDIS_ADAPTER.env() + "=sharded", Setting.REDIS_SUBSCRIPTION_MODE);
            }
            if (transport != TransportKind.STREAMS) {
                ignoredWithout(v, Setting.REDIS_ADAPTER.env() + "=streams", Setting.REDIS_STREAM_MAX_LEN);
            } else {
                ignoredWithout(v, "a single node's log in memory: the streams transport replays from the stream ("
                        + Setting.REDIS_STREAM_MAX_LEN.env() + ")", Setting.RECOVERY_LOG_BYTES);
            }
        }
        if (!v.bool(Setting.CONNECTION_STATE_RECOVERY)) {
            ignoredWithout(v, Setting.CONNECTION_STATE_RECOVERY.env() + "=true", Setting.MAX_DISCONNECTION_DURATION,
                    Setting.RECOVERY_LOG_BYTES);
        }
        if (!v.text(Setting.AUTH_MODE).equalsIgnoreCase("jwt")) {
            ignoredWithout(v, Setting.AUTH_MODE.env() + "=jwt: connections are not authenticated", Setting.JWT_SECRET,
                    Setting.JWT_PUBLIC_KEY_FILE, Setting.JWT_JWKS_URL, Setting.JWT_ISSUER, Setting.JWT_AUDIENCE,
                    Setting.AUTH_PUBLIC_NAMESPACES, Setting.AUTH_REQUIRED_NAMESPACES, Setting.TOKEN_EXPIRY_GRACE);
        }
        if (v.list(Setting.TRUSTED_PROXIES).isEmpty()) {
            // No peer's forwarding header is believed, so none is read.
            ignoredWithout(v, Setting.TRUSTED_PROXIES.env(), Setting.FORWARDED_HEADER);
        }
        if (v.optional(Setting.TLS_KEYSTORE_FILE).isEmpty()) {
            ignoredWithout(v, Setting.TLS_KEYSTORE_FILE.env(), Setting.TLS_KEYSTORE_PASSWORD);
        }
    }

    private static void ignoredWithout(SettingValues v, String missing, Setting... settings) {
        for (Setting setting : settings) {
            if (v.isExplicit(setting) && !v.text(setting).isBlank()) {
                v.warning(setting.env() + " has no effect without " + missing);
            }
        }
    }

    /** Connection state recovery, or {@code null} when it is off. */
    private static RecoveryOptions recovery(SettingValues v, boolean clustered) {
        boolean on = v.bool(Setting.CONNECTION_STATE_RECOVERY);
        java.time.Duration max = v.millis(Setting.MAX_DISCONNECTION_DURATION);
        int logBytes = v.positiveInt(Setting.RECOVERY_LOG_BYTES);
        if (!on) {
            return null;
        }
        if (clustered) {
            v.problem(GatewayConfig.RECOVERY_NEEDS_STREAMS);
            return null;
        }
        // As many kept sessions per namespace as the node holds connections: all of them dropping at once are kept.
        int connections = v.nonNegativeInt(Setting.MAX_CONNECTIONS);
        return new RecoveryOptions(max, RecoveryOptions.DEFAULTS.maxPackets(),
                connections > 0 ? connections : RecoveryOptions.DEFAULTS.maxSessions(), logBytes);
    }

    private static TransportKind transportKind(SettingValues v) {
        String value = v.text(Setting.REDIS_ADAPTER).trim().toLowerCase();
        switch (value) {
            case "classic":
                return TransportKind.CLASSIC;
            case "sharded":
                return TransportKind.SHARDED;
            case "streams":
                return TransportKind.STREAMS;
            default:
                v.problem(Setting.REDIS_ADAPTER.env() + ": expected classic, sharded or streams, got '" + value + "'");
                return TransportKind.CLASSIC;
        }
    }

    private static SubscriptionMode subscriptionMode(SettingValues v) {
        try {
            return SubscriptionMode.of(v.text(Setting.REDIS_SUBSCRIPTION_MODE).trim().toLowerCase());
        } catch (IllegalArgumentException e) {
            v.problem(Setting.REDIS_SUBSCRIPTION_MODE.env() + ": " + e.getMessage());
            return SubscriptionMode.DYNAMIC;
        }
    }

    private static void checkRedisUrl(String url, SettingValues v) {
        try {
            RedisUris.check(url);
        } catch (IllegalArgumentException e) {
            v.problem(Setting.REDIS_URL.env() + ": " + e.getMessage());
        }
    }

    private static Optional<String> sentinelPassword(SettingValues v, Optional<String> redis) {
        // A secret made from a file often ends with a newline, which is no part of the password.
        Optional<String> password = v.optional(Setting.REDIS_SENTINEL_PASSWORD).map(String::strip);
        if (password.isPresent() && redis.filter(RedisUris::isSentinel).isEmpty()) {
            v.problem(Setting.REDIS_SENTINEL_PASSWORD.env() + ": only a redis-sentinel:// " + Setting.REDIS_URL.env() + " has Sentinels");
        }
        return password;
    }

    private static TlsSettings tls(SettingValues v) {
        TlsSettings tls = new TlsSettings(v.optional(Setting.TLS_CERT_FILE).map(Path::of),
                v.optional(Setting.TLS_KEY_FILE).map(Path::of), v.optional(Setting.TLS_KEYSTORE_FILE).map(Path::of),
                v.text(Setting.TLS_KEYSTORE_PASSWORD));
        if (tls.certFile().isPresent() != tls.keyFile().isPresent()) {
            v.problem(Setting.TLS_CERT_FILE.env() + " and " + Setting.TLS_KEY_FILE.env() + " go together");
        }
        if (tls.certFile().isPresent() && tls.keystore().isPresent()) {
            v.problem("TLS: set PEM files or a PKCS#12 keystore, not both");
        }
        Stream.of(tls.certFile(), tls.keyFile(), tls.keystore()).flatMap(Optional::stream)
                .filter(file -> !Files.isReadable(file))
                .forEach(file -> v.problem("TLS: cannot read " + file));
        return tls;
    }

    private static ClientAddressOptions clientAddresses(SettingValues v) {
        boolean proxyProtocol = v.bool(Setting.PROXY_PROTOCOL);
        List<String> balancers = List.copyOf(v.list(Setting.PROXY_PROTOCOL_FROM));
        if (proxyProtocol && balancers.isEmpty()) {
            v.problem(ClientAddressOptions.NO_BALANCERS);
        }
        if (!proxyProtocol && !balancers.isEmpty()) {
            // Balancers listed for a header the node does not read: likely the protocol was meant to be on, and
            // without it every client would have its balancer's address.
            v.problem(Setting.PROXY_PROTOCOL_FROM.env() + ": only with " + Setting.PROXY_PROTOCOL.env()
                    + "=true (the balancers allowed to send the PROXY header, which is read only then)");
        }
        balancers = cidrs(v, Setting.PROXY_PROTOCOL_FROM, balancers);
        List<String> trusted = cidrs(v, Setting.TRUSTED_PROXIES, List.copyOf(v.list(Setting.TRUSTED_PROXIES)));
        String headerName = v.text(Setting.FORWARDED_HEADER).trim().toLowerCase(java.util.Locale.ROOT);
        ClientAddressOptions.ForwardedHeader header = java.util.Arrays.stream(ClientAddressOptions.ForwardedHeader.values())
                .filter(candidate -> candidate.setting().equals(headerName)).findFirst().orElse(null);
        if (header == null) {
            v.problem(Setting.FORWARDED_HEADER.env() + ": expected x-forwarded-for or forwarded, got '" + headerName + "'");
            header = ClientAddressOptions.ForwardedHeader.X_FORWARDED_FOR;
        }
        if (proxyProtocol && balancers.isEmpty()) {
            return new ClientAddressOptions(false, List.of(), trusted, header); // a problem reported: the node does not start
        }
        return new ClientAddressOptions(proxyProtocol, balancers, trusted, header);
    }

    /** {@code cidrs} when each is one, else none, the problem reported. */
    private static List<String> cidrs(SettingValues v, Setting setting, List<String> cidrs) {
        try {
            TrustedProxies.parse(cidrs);
            return cidrs;
        } catch (IllegalArgumentException e) {
            v.problem(setting.env() + ": " + e.getMessage());
            return List.of();
        }
    }

    private static AuthSettings auth(SettingValues v) {
        String mode = v.text(Setting.AUTH_MODE).toLowerCase();
        Optional<String> secret = v.optional(Setting.JWT_SECRET);
        Optional<Path> keyFile = v.optional(Setting.JWT_PUBLIC_KEY_FILE).map(Path::of);
        Optional<String> jwks = v.optional(Setting.JWT_JWKS_URL);
        Optional<Set<String>> required = v.optional(Setting.AUTH_REQUIRED_NAMESPACES).map(list -> v.list(Setting.AUTH_REQUIRED_NAMESPACES));
        Set<String> publicNamespaces = v.optional(Setting.AUTH_PUBLIC_NAMESPACES)
                .map(list -> v.list(Setting.AUTH_PUBLIC_NAMESPACES)).orElse(Set.of());
        if (required.isPresent() && !publicNamespaces.isEmpty()) {
            v.problem(Setting.AUTH_PUBLIC_NAMESPACES.env() + " and the deprecated " + Setting.AUTH_REQUIRED_NAMESPACES.env()
                    + " contradict each other: set only " + Setting.AUTH_PUBLIC_NAMESPACES.env());
        }
        publicNamespaces.stream().filter(name -> !name.startsWith("/"))
                .forEach(name -> v.problem(Setting.AUTH_PUBLIC_NAMESPACES.env() + ": '" + name + "' is not a namespace (/name)"));
        // A typo here would make every namespace public: refused, as in the list of public ones.
        required.ifPresent(names -> {
            if (names.isEmpty()) {
                v.problem(Setting.AUTH_REQUIRED_NAMESPACES.env() + ": names no namespace");
            }
            names.stream().filter(name -> !name.startsWith("/") && !name.equals("*")).forEach(name -> v.problem(
                    Setting.AUTH_REQUIRED_NAMESPACES.env() + ": '" + name + "' is not a namespace (/name, or * for all)"));
        });
        if (!mode.equals("none") && !mode.equals("jwt")) {
            v.problem(Setting.AUTH_MODE.env() + ": expected none or jwt, got '" + v.text(Setting.AUTH_MODE) + "'");
            return AuthSettings.none();
        }
        if (mode.equals("jwt")) {
            long sources = Stream.of(secret, keyFile, jwks).filter(Optional::isPresent).count();
            if (sources != 1) {
                v.problem(Setting.AUTH_MODE.env() + "=jwt needs exactly one of " + Setting.JWT_SECRET.env() + ", "
                        + Setting.JWT_PUBLIC_KEY_FILE.env() + ", " + Setting.JWT_JWKS_URL.env() + " (" + sources + " set)");
            }
            secret.filter(value -> value.getBytes(StandardCharsets.UTF_8).length < 32)
                    .ifPresent(value -> v.problem(Setting.JWT_SECRET.env() + ": must be at least 32 bytes"));
            keyFile.filter(file -> !Files.isReadable(file))
                    .ifPresent(file -> v.problem(Setting.JWT_PUBLIC_KEY_FILE.env() + ": cannot read " + file));
            jwks.flatMap(ConfigReader::jwksUrlProblem).ifPresent(reason -> v.problem(Setting.JWT_JWKS_URL.env() + ": " + reason));
            if (jwks.isPresent() && v.optional(Setting.JWT_AUDIENCE).isEmpty()) {
                // An identity provider's key set signs the tokens of every application it serves: without an audience
                // any of them, issued for another application, would sign its holder in here.
                v.problem(Setting.JWT_JWKS_URL.env() + " needs " + Setting.JWT_AUDIENCE.env()
                        + ": the key set signs tokens for every application of its issuer, and only the aud claim says"
                        + " a token was issued for this one");
            }
        }
        return new AuthSettings(mode.equals("jwt") ? AuthSettings.Mode.JWT : AuthSettings.Mode.NONE, secret, keyFile, jwks,
                v.optional(Setting.JWT_ISSUER), v.optional(Setting.JWT_AUDIENCE), publicNamespaces, required,
                v.millisOrZero(Setting.TOKEN_EXPIRY_GRACE));
    }

    /**
     * Why {@code url} cannot be the key set's address, parsed as the key cache will (a URI, then a URL): a value that
     * only starts like one ({@code https://}, a space inside) would otherwise stop the node later, with a stack trace
     * instead of the variable's name. The reason never repeats the value, which may carry credentials.
     */
    private static Optional<String> jwksUrlProblem(String url) {
        try {
            URI uri = new URI(url);
            if (uri.getScheme() == null || !uri.getScheme().equalsIgnoreCase("https") && !uri.getScheme().equalsIgnoreCase("http")) {
                return Optional.of("expected an http(s) URL");
            }
            if (uri.getHost() == null) {
                return Optional.of("names no host");
            }
            uri.toURL();
            return Optional.empty();
        } catch (URISyntaxException e) {
            return Optional.of("not a URL: " + e.getReason() + (e.getIndex() >= 0 ? " at index " + e.getIndex() : ""));
        } catch (MalformedURLException | IllegalArgumentException e) {
            return Optional.of("not a URL: " + e.getMessage());
        }
    }

    /**
     * Origins are compared exactly with what browsers send: a lowercase {@code scheme://host[:port]}, no path, no
     * trailing slash. An entry of another shape would never match, and every browser client would be refused.
     */
    private static void checkOrigins(SettingValues v, Setting setting, List<String> origins) {
        for (String origin : origins) {
            // * (any origin) is checked where it is or is not allowed.
            if (!origin.equals("*") && !ORIGIN.matcher(origin).matches()) {
                v.problem(setting.env() + ": '" + origin + "' is not an origin as browsers send it"
                        + " (lowercase scheme://host[:port], no path or trailing slash)");
            } else if (origin.startsWith("https://") && origin.endsWith(":443") || origin.startsWith("http://") && origin.endsWith(":80")) {
                v.problem(setting.env() + ": '" + origin + "' names its scheme's default port, which browsers leave out"
                        + " of the origin they send: drop it");
            }
        }
    }
}
