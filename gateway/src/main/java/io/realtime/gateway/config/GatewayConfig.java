package io.realtime.gateway.config;

import io.realtime.gateway.auth.AuthSettings;
import io.realtime.gateway.engineio.EngineOptions;

import java.io.IOException;
import java.io.Reader;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.StringJoiner;
import java.util.stream.Collectors;

/**
 * The typed configuration of a node. Values come from the defaults of {@link Setting}, then environment variables,
 * then an optional properties file ({@code --config=FILE} or {@code CONFIG_FILE}), then {@code --key=value} flags;
 * the last one wins. Every value is checked at once and all problems are reported together.
 */
public record GatewayConfig(
        String host,
        int port,
        int managementPort,
        Optional<String> redisUrl,
        String nodeId,
        EngineOptions engine,
        Duration connectTimeout,
        int maxAttachments,
        int maxConnections,
        int maxConnectionsPerIp,
        int handshakesPerIp,
        TlsSettings tls,
        io.realtime.gateway.limits.EventLimits eventLimits,
        int workerThreads,
        AuthSettings auth,
        Optional<String> apiKey,
        Duration dashboardInterval,
        Duration drainWindow,
        Duration preStopDelay,
        ClusterSettings cluster,
        boolean conformance) {

    /** TLS on the Socket.IO port: PEM certificate and key, or a PKCS#12 keystore; none when all are empty. */
    public record TlsSettings(Optional<Path> certFile, Optional<Path> keyFile, Optional<Path> keystore, String keystorePassword) {
        public boolean enabled() {
            return certFile.isPresent() || keystore.isPresent();
        }
    }

    /** How the node joins the cluster when {@code REDIS_URL} is set. */
    public record ClusterSettings(String key, Duration requestTimeout, int outageBufferSize, Duration outageBufferAge,
                                  io.realtime.cluster.TransportKind transport, io.realtime.cluster.SubscriptionMode subscriptionMode) {
    }


    public static final String CONFIG_FILE_ENV = "CONFIG_FILE";

    /** Builds the configuration from the process environment and command-line arguments. */
    public static GatewayConfig load(Map<String, String> environment, String[] args) {
        Map<Setting, String> values = new EnumMap<>(Setting.class);
        for (Setting setting : Setting.values()) {
            values.put(setting, setting.defaultValue());
            String fromEnv = environment.get(setting.env());
            if (fromEnv != null) {
                values.put(setting, fromEnv.trim());
            }
        }
        List<String> problems = new ArrayList<>();
        Flags flags = Flags.parse(args, problems);
        String file = flags.configFile != null ? flags.configFile : environment.get(CONFIG_FILE_ENV);
        if (file != null && !file.isBlank()) {
            readFile(Path.of(file), values, problems);
        }
        flags.values.forEach((key, value) -> {
            Setting setting = byName(key);
            if (setting == null) {
                problems.add("--" + key + ": unknown option");
            } else {
                values.put(setting, value);
            }
        });
        if (flags.conformance) {
            applyConformanceDefaults(values, flags.values.keySet());
        }
        return build(values, flags.conformance, problems);
    }

    /** The Socket.IO project's protocol test server settings, unless a flag says otherwise. */
    private static void applyConformanceDefaults(Map<Setting, String> values, Set<String> explicitFlags) {
        Map<Setting, String> conformance = Map.of(Setting.PORT, "3000", Setting.PING_INTERVAL, "300",
                Setting.PING_TIMEOUT, "200", Setting.MAX_HTTP_BUFFER_SIZE, "1000000", Setting.CORS, "*");
        conformance.forEach((setting, value) -> {
            if (!explicitFlags.contains(setting.key()) && !explicitFlags.contains(setting.env())) {
                values.put(setting, value);
            }
        });
    }

    private static GatewayConfig build(Map<Setting, String> values, boolean conformance, List<String> problems) {
        Values v = new Values(values, problems);
        int port = v.port(Setting.PORT);
        int managementPort = v.port(Setting.MANAGEMENT_PORT);
        if (port == managementPort && port != 0) {
            problems.add(Setting.MANAGEMENT_PORT.env() + ": must differ from " + Setting.PORT.env() + " (" + port + ")");
        }
        String redis = values.get(Setting.REDIS_URL);
        if (!redis.isEmpty()) {
            try {
                String scheme = URI.create(redis).getScheme();
                if (scheme == null || !Set.of("redis", "rediss", "redis-socket", "redis-sentinel", "redis-cluster", "rediss-cluster").contains(scheme)) {
                    problems.add(Setting.REDIS_URL.env() + ": expected a redis://, rediss://, redis-sentinel:// or redis-cluster:// URI");
                }
            } catch (IllegalArgumentException e) {
                problems.add(Setting.REDIS_URL.env() + ": not a URI");
            }
        }
        String nodeId = values.get(Setting.NODE_ID).isEmpty() ? hostName() : values.get(Setting.NODE_ID);
        String path = values.get(Setting.PATH);
        if (!path.startsWith("/")) {
            problems.add(Setting.PATH.env() + ": must start with '/': " + path);
        }
        Set<String> transports = Arrays.stream(values.get(Setting.TRANSPORTS).split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toCollection(LinkedHashSet::new));
        if (transports.isEmpty() || !Set.of(EngineOptions.POLLING, EngineOptions.WEBSOCKET).containsAll(transports)) {
            problems.add(Setting.TRANSPORTS.env() + ": expected polling and/or websocket, got '" + values.get(Setting.TRANSPORTS) + "'");
        }
        List<String> cors = Arrays.stream(values.get(Setting.CORS).split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).toList();
        Duration pingInterval = v.millis(Setting.PING_INTERVAL);
        Duration pingTimeout = v.millis(Setting.PING_TIMEOUT);
        int maxPayload = v.positiveInt(Setting.MAX_HTTP_BUFFER_SIZE);
        Duration upgradeTimeout = v.millis(Setting.UPGRADE_TIMEOUT);
        Duration connectTimeout = v.millis(Setting.CONNECT_TIMEOUT);
        int maxAttachments = v.nonNegativeInt(Setting.MAX_ATTACHMENTS);
        int maxConnections = v.nonNegativeInt(Setting.MAX_CONNECTIONS);
        int outboundLimit = v.nonNegativeInt(Setting.OUTBOUND_LIMIT);
        int maxConnectionsPerIp = v.nonNegativeInt(Setting.MAX_CONNECTIONS_PER_IP);
        int handshakesPerIp = v.nonNegativeInt(Setting.HANDSHAKES_PER_IP);
        TlsSettings tls = new TlsSettings(optional(values, Setting.TLS_CERT_FILE).map(Path::of),
                optional(values, Setting.TLS_KEY_FILE).map(Path::of), optional(values, Setting.TLS_KEYSTORE_FILE).map(Path::of),
                values.get(Setting.TLS_KEYSTORE_PASSWORD));
        if (tls.certFile().isPresent() != tls.keyFile().isPresent()) {
            problems.add(Setting.TLS_CERT_FILE.env() + " and " + Setting.TLS_KEY_FILE.env() + " go together");
        }
        if (tls.certFile().isPresent() && tls.keystore().isPresent()) {
            problems.add("TLS: set PEM files or a PKCS#12 keystore, not both");
        }
        java.util.stream.Stream.of(tls.certFile(), tls.keyFile(), tls.keystore()).flatMap(Optional::stream)
                .filter(file -> !Files.isReadable(file))
                .forEach(file -> problems.add("TLS: cannot read " + file));
        io.realtime.gateway.limits.EventLimits eventLimits = new io.realtime.gateway.limits.EventLimits(
                v.nonNegativeInt(Setting.EVENT_RATE), v.nonNegativeInt(Setting.EVENT_BURST),
                v.nonNegativeInt(Setting.ABUSE_DISCONNECT_AFTER));
        int workerThreads = v.nonNegativeInt(Setting.WORKER_THREADS);
        boolean allowEIO3 = v.bool(Setting.ALLOW_EIO3);
        Duration dashboardInterval = v.millis(Setting.DASHBOARD_INTERVAL);
        Duration drainWindow = v.millis(Setting.DRAIN_WINDOW);
        Duration preStopDelay = v.millis(Setting.PRE_STOP_DELAY);
        ClusterSettings cluster = new ClusterSettings(values.get(Setting.REDIS_KEY), v.millis(Setting.CLUSTER_REQUEST_TIMEOUT),
                v.nonNegativeInt(Setting.OUTAGE_BUFFER_SIZE), v.millis(Setting.OUTAGE_BUFFER_AGE),
                transportKind(values.get(Setting.REDIS_ADAPTER), problems), subscriptionMode(values.get(Setting.REDIS_SUBSCRIPTION_MODE), problems));
        AuthSettings auth = authSettings(values, problems);
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        String normalizedPath = path.endsWith("/") ? path : path + "/";
        EngineOptions engine = new EngineOptions(normalizedPath, pingInterval, pingTimeout, maxPayload, upgradeTimeout,
                transports, allowEIO3, cors, outboundLimit);
        return new GatewayConfig(values.get(Setting.HOST), port, managementPort,
                redis.isEmpty() ? Optional.empty() : Optional.of(redis), nodeId, engine, connectTimeout,
                maxAttachments, maxConnections, maxConnectionsPerIp, handshakesPerIp, tls, eventLimits, workerThreads, auth, optional(values, Setting.API_KEY), dashboardInterval, drainWindow, preStopDelay, cluster, conformance);
    }

    private static io.realtime.cluster.TransportKind transportKind(String value, List<String> problems) {
        switch (value.trim().toLowerCase()) {
            case "classic":
                return io.realtime.cluster.TransportKind.CLASSIC;
            case "sharded":
                return io.realtime.cluster.TransportKind.SHARDED;
            case "streams":
                problems.add(Setting.REDIS_ADAPTER.env() + "=streams: the Redis Streams transport is not available in this"
                        + " version; use classic or sharded");
                return io.realtime.cluster.TransportKind.CLASSIC;
            default:
                problems.add(Setting.REDIS_ADAPTER.env() + ": expected classic or sharded, got '" + value + "'");
                return io.realtime.cluster.TransportKind.CLASSIC;
        }
    }

    private static io.realtime.cluster.SubscriptionMode subscriptionMode(String value, List<String> problems) {
        try {
            return io.realtime.cluster.SubscriptionMode.of(value.trim().toLowerCase());
        } catch (IllegalArgumentException e) {
            problems.add(Setting.REDIS_SUBSCRIPTION_MODE.env() + ": " + e.getMessage());
            return io.realtime.cluster.SubscriptionMode.DYNAMIC;
        }
    }

    private static AuthSettings authSettings(Map<Setting, String> values, List<String> problems) {
        String mode = values.get(Setting.AUTH_MODE).toLowerCase();
        Optional<String> secret = optional(values, Setting.JWT_SECRET);
        Optional<Path> keyFile = optional(values, Setting.JWT_PUBLIC_KEY_FILE).map(Path::of);
        Optional<String> jwks = optional(values, Setting.JWT_JWKS_URL);
        Optional<Set<String>> required = optional(values, Setting.AUTH_REQUIRED_NAMESPACES)
                .map(list -> Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                        .collect(Collectors.toCollection(LinkedHashSet::new)));
        if (!mode.equals("none") && !mode.equals("jwt")) {
            problems.add(Setting.AUTH_MODE.env() + ": expected none or jwt, got '" + values.get(Setting.AUTH_MODE) + "'");
            return AuthSettings.none();
        }
        if (mode.equals("jwt")) {
            long sources = java.util.stream.Stream.of(secret, keyFile, jwks).filter(Optional::isPresent).count();
            if (sources != 1) {
                problems.add(Setting.AUTH_MODE.env() + "=jwt needs exactly one of " + Setting.JWT_SECRET.env() + ", "
                        + Setting.JWT_PUBLIC_KEY_FILE.env() + ", " + Setting.JWT_JWKS_URL.env() + " (" + sources + " set)");
            }
            secret.filter(value -> value.getBytes(java.nio.charset.StandardCharsets.UTF_8).length < 32)
                    .ifPresent(value -> problems.add(Setting.JWT_SECRET.env() + ": must be at least 32 bytes"));
            keyFile.filter(file -> !Files.isReadable(file))
                    .ifPresent(file -> problems.add(Setting.JWT_PUBLIC_KEY_FILE.env() + ": cannot read " + file));
            jwks.filter(url -> !url.startsWith("https://") && !url.startsWith("http://"))
                    .ifPresent(url -> problems.add(Setting.JWT_JWKS_URL.env() + ": expected an http(s) URL"));
        }
        return new AuthSettings(mode.equals("jwt") ? AuthSettings.Mode.JWT : AuthSettings.Mode.NONE, secret, keyFile, jwks,
                optional(values, Setting.JWT_ISSUER), optional(values, Setting.JWT_AUDIENCE), required);
    }

    private static Optional<String> optional(Map<Setting, String> values, Setting setting) {
        String value = values.get(setting);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value);
    }

    public boolean isClustered() {
        return redisUrl.isPresent();
    }

    /** One line per setting, secrets masked, for the start-up log. */
    public String describe() {
        StringJoiner out = new StringJoiner(", ");
        out.add("host=" + host).add("port=" + port).add("managementPort=" + managementPort)
                .add("redisUrl=" + redisUrl.map(GatewayConfig::maskPassword).orElse("(none)"))
                .add("nodeId=" + nodeId).add("path=" + engine.path())
                .add("pingInterval=" + engine.pingInterval().toMillis()).add("pingTimeout=" + engine.pingTimeout().toMillis())
                .add("maxHttpBufferSize=" + engine.maxPayload()).add("cors=" + engine.corsOrigins())
                .add("transports=" + engine.transports()).add("allowEIO3=" + engine.allowEIO3())
                .add("upgradeTimeout=" + engine.upgradeTimeout().toMillis()).add("connectTimeout=" + connectTimeout.toMillis())
                .add("maxAttachments=" + maxAttachments).add("maxConnections=" + maxConnections)
                .add("outboundLimit=" + engine.outboundLimit())
                .add("tls=" + (tls.enabled() ? "on" : "off"))
                .add("maxConnectionsPerIp=" + maxConnectionsPerIp).add("handshakesPerIp=" + handshakesPerIp)
                .add("eventRate=" + eventLimits.ratePerSecond()).add("eventBurst=" + eventLimits.burst())
                .add("abuseDisconnectAfter=" + eventLimits.disconnectAfter())
                .add("workerThreads=" + workerThreads)
                .add("authMode=" + auth.mode().name().toLowerCase())
                .add("jwtKeys=" + (auth.secret().isPresent() ? "secret(****)" : auth.publicKeyFile().map(Path::toString)
                        .or(auth::jwksUrl).orElse("(none)")))
                .add("authRequiredNamespaces=" + auth.requiredNamespaces().map(Object::toString).orElse("(as declared)"))
                .add("apiKey=" + (apiKey.isPresent() ? "****" : "(none: loopback only)"))
                .add("dashboardInterval=" + dashboardInterval.toMillis()).add("drainWindow=" + drainWindow.toMillis())
                .add("redisKey=" + cluster.key()).add("clusterRequestTimeout=" + cluster.requestTimeout().toMillis())
                .add("outageBufferSize=" + cluster.outageBufferSize()).add("outageBufferAge=" + cluster.outageBufferAge().toMillis())
                .add("redisAdapter=" + cluster.transport().wireName())
                .add("redisSubscriptionMode=" + cluster.subscriptionMode().wireName());
        return out.toString();
    }

    public static String maskPassword(String uri) {
        return uri.replaceAll("(://[^:@/]*:)[^@/]*@", "$1****@").replaceAll("(://)([^:@/]+)@", "$1****@");
    }

    private static Setting byName(String name) {
        for (Setting setting : Setting.values()) {
            if (setting.key().equals(name) || setting.env().equals(name)) {
                return setting;
            }
        }
        return null;
    }

    private static void readFile(Path file, Map<Setting, String> values, List<String> problems) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            properties.load(reader);
        } catch (IOException e) {
            problems.add("config file " + file + ": cannot be read (" + e.getMessage() + ")");
            return;
        }
        for (String name : properties.stringPropertyNames()) {
            Setting setting = byName(name);
            if (setting == null) {
                problems.add("config file " + file + ": unknown setting '" + name + "'");
            } else {
                values.put(setting, properties.getProperty(name).trim());
            }
        }
    }

    private static String hostName() {
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

    /** Command-line flags: {@code --key=value}, {@code --key value}, {@code --config FILE}, {@code --conformance}. */
    private static final class Flags {
        final Map<String, String> values = new java.util.LinkedHashMap<>();
        String configFile;
        boolean conformance;

        static Flags parse(String[] args, List<String> problems) {
            Flags flags = new Flags();
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                if (!arg.startsWith("--")) {
                    problems.add("unexpected argument '" + arg + "' (options look like --port=3000)");
                    continue;
                }
                String name = arg.substring(2);
                String value = null;
                int eq = name.indexOf('=');
                if (eq >= 0) {
                    value = name.substring(eq + 1);
                    name = name.substring(0, eq);
                }
                if (name.equals("conformance")) {
                    flags.conformance = true;
                    continue;
                }
                if (value == null) {
                    if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                        value = args[++i];
                    } else if (name.equals(Setting.ALLOW_EIO3.key())) {
                        value = "true";
                    } else {
                        problems.add("--" + name + ": missing value");
                        continue;
                    }
                }
                if (name.equals("config")) {
                    flags.configFile = value;
                } else {
                    flags.values.put(name, value);
                }
            }
            return flags;
        }
    }

    /** Typed reads that record a problem instead of throwing, so every bad value is reported once. */
    private record Values(Map<Setting, String> raw, List<String> problems) {

        int port(Setting setting) {
            return checked(setting, value -> value >= 0 && value <= 65535, "is not a port number (0-65535)");
        }

        int positiveInt(Setting setting) {
            return checked(setting, value -> value > 0, "must be a positive number");
        }

        int nonNegativeInt(Setting setting) {
            return checked(setting, value -> value >= 0, "must be zero or more");
        }

        Duration millis(Setting setting) {
            return Duration.ofMillis(Math.max(positiveInt(setting), 1));
        }

        boolean bool(Setting setting) {
            String value = raw.get(setting).toLowerCase();
            if (!value.equals("true") && !value.equals("false")) {
                problems.add(setting.env() + ": expected true or false, got '" + raw.get(setting) + "'");
            }
            return value.equals("true");
        }

        /** A whole number (socket.io's notation {@code 1e6} is accepted) that satisfies {@code rule}; 1 when not. */
        private int checked(Setting setting, java.util.function.IntPredicate rule, String complaint) {
            String text = raw.get(setting);
            double parsed;
            try {
                parsed = Double.parseDouble(text);
            } catch (NumberFormatException e) {
                parsed = Double.NaN;
            }
            if (parsed != Math.rint(parsed) || Math.abs(parsed) > Integer.MAX_VALUE) {
                problems.add(setting.env() + ": '" + text + "' is not a whole number");
                return 1;
            }
            if (!rule.test((int) parsed)) {
                problems.add(setting.env() + ": '" + text + "' " + complaint);
                return 1;
            }
            return (int) parsed;
        }
    }
}
