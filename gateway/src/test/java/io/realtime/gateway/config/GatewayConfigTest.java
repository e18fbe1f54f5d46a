package io.realtime.gateway.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.assertThatCode;

class GatewayConfigTest {

    @Test
    void defaultsAreSocketIosOwn() {
        GatewayConfig config = GatewayConfig.load(Map.of("NODE_ID", "n1"), new String[0]);

        assertThat(config.port()).isEqualTo(3000);
        assertThat(config.managementPort()).isEqualTo(9090);
        assertThat(config.redisUrl()).isEmpty();
        assertThat(config.nodeId()).isEqualTo("n1");
        assertThat(config.engine().path()).isEqualTo("/socket.io/");
        assertThat(config.engine().pingInterval().toMillis()).isEqualTo(25_000);
        assertThat(config.engine().pingTimeout().toMillis()).isEqualTo(20_000);
        assertThat(config.engine().maxPayload()).isEqualTo(1_000_000);
        assertThat(config.engine().transports()).containsExactlyInAnyOrder("polling", "websocket");
        assertThat(config.engine().allowEIO3()).isFalse();
        assertThat(config.engine().corsOrigins()).isEmpty();
    }

    @Test
    void fileOverridesEnvironmentAndFlagsOverrideBoth(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("node.properties");
        Files.writeString(file, "port=4000\npingInterval=1000\nMANAGEMENT_PORT=9100\n");
        Map<String, String> env = Map.of("SOCKETIO_PORT", "3500", "PING_TIMEOUT", "700", "CONFIG_FILE", file.toString(),
                "CORS_ORIGINS", "https://a.example, https://b.example");

        GatewayConfig config = GatewayConfig.load(env, new String[] {"--port=4100", "--maxHttpBufferSize", "1e6"});

        assertThat(config.port()).isEqualTo(4100);
        assertThat(config.managementPort()).isEqualTo(9100);
        assertThat(config.engine().pingInterval().toMillis()).isEqualTo(1000);
        assertThat(config.engine().pingTimeout().toMillis()).isEqualTo(700);
        assertThat(config.engine().maxPayload()).isEqualTo(1_000_000);
        assertThat(config.engine().corsOrigins()).containsExactly("https://a.example", "https://b.example");
    }

    @Test
    void everyBadValueIsReportedWithItsVariableName() {
        Map<String, String> env = Map.of("SOCKETIO_PORT", "70000", "PING_INTERVAL", "soon", "TRANSPORTS", "carrier-pigeon",
                "ALLOW_EIO3", "maybe", "REDIS_URL", "http://localhost");

        assertThatThrownBy(() -> GatewayConfig.load(env, new String[] {"--nope=1"}))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).hasSize(6))
                .hasMessageContaining("SOCKETIO_PORT: '70000' is not a port number")
                .hasMessageContaining("PING_INTERVAL: 'soon' is not a whole number")
                .hasMessageContaining("TRANSPORTS")
                .hasMessageContaining("ALLOW_EIO3")
                .hasMessageContaining("REDIS_URL")
                .hasMessageContaining("--nope: unknown option");
    }

    @Test
    void numbersAreWholeNumbersWithoutSuffixesOrUnits() {
        assertThatThrownBy(() -> GatewayConfig.load(Map.of("DRAIN_WINDOW", "10d", "PING_INTERVAL", "30s",
                "MAX_HTTP_BUFFER_SIZE", "3e9", "OUTBOUND_LIMIT", "0x10", "SOCKETIO_HOST", " "), new String[0]))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).hasSize(5))
                .hasMessageContaining("DRAIN_WINDOW: '10d' is not a whole number (milliseconds, without a unit")
                .hasMessageContaining("PING_INTERVAL: '30s' is not a whole number (milliseconds")
                .hasMessageContaining("MAX_HTTP_BUFFER_SIZE: '3e9' is too large")
                .hasMessageContaining("OUTBOUND_LIMIT: '0x10' is not a whole number")
                .hasMessageContaining("SOCKETIO_HOST: is empty");
    }

    @Test
    void theInternalPortFollowsTheSocketIoPortsAddressUnlessGivenItsOwn() {
        assertThat(GatewayConfig.load(Map.of(), new String[0]).managementHost()).isEqualTo("0.0.0.0");
        GatewayConfig onOneAddress = GatewayConfig.load(Map.of("SOCKETIO_HOST", "10.0.0.5"), new String[0]);
        assertThat(onOneAddress.managementHost()).as("not opened on every interface behind the user's back").isEqualTo("10.0.0.5");
        GatewayConfig behindSidecar = GatewayConfig.load(Map.of("SOCKETIO_HOST", "127.0.0.1", "MANAGEMENT_HOST", "0.0.0.0"), new String[0]);
        assertThat(behindSidecar.host()).isEqualTo("127.0.0.1");
        assertThat(behindSidecar.managementHost()).as("probes and Prometheus still reach the internal port").isEqualTo("0.0.0.0");
        assertThat(GatewayConfig.load(Map.of("MANAGEMENT_HOST", "10.0.0.7"), new String[0]).describe())
                .contains("managementHost=10.0.0.7");
        assertThat(GatewayConfig.builder().host("127.0.0.1").build().managementHost()).isEqualTo("127.0.0.1");
        assertThatThrownBy(() -> GatewayConfig.load(Map.of("SOCKETIO_HOST", "127.0.0.1", "MANAGEMENT_HOST", " "), new String[0]))
                .as("set but empty is a template that rendered nothing, not a wish to follow SOCKETIO_HOST")
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("MANAGEMENT_HOST: is empty");
    }

    @Test
    void anEmptyRedisKeyIsRefusedRatherThanNamingChannelsNoNodeAdapterUses() {
        for (String empty : new String[] {"", " "}) {
            assertThatThrownBy(() -> GatewayConfig.load(Map.of("REDIS_URL", "redis://redis:6379", "REDIS_KEY", empty), new String[0]))
                    .as("'" + empty + "'").isInstanceOf(ConfigException.class)
                    .satisfies(e -> assertThat(((ConfigException) e).problems()).singleElement().asString()
                            .startsWith("REDIS_KEY: is empty"));
        }
        assertThat(GatewayConfig.load(Map.of("REDIS_URL", "redis://redis:6379", "REDIS_KEY", "chat"), new String[0])
                .cluster().key()).isEqualTo("chat");
        assertThatCode(() -> GatewayConfig.load(Map.of("REDIS_KEY", ""), new String[0]))
                .as("a single node names no channel: the key is only warned about as having no effect")
                .doesNotThrowAnyException();
    }

    @Test
    void zeroIsRefusedWhereItWouldQuietlyMeanOne() {
        assertThatThrownBy(() -> GatewayConfig.load(Map.of("REDIS_URL", "redis://redis:6379", "REDIS_ADAPTER", "streams",
                "REDIS_STREAM_MAX_LEN", "0", "EVENT_BURST", "0"), new String[0]))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("REDIS_STREAM_MAX_LEN: '0' must be a positive number")
                .hasMessageContaining("EVENT_BURST: must be at least 1 while EVENT_RATE limits events");
        assertThat(GatewayConfig.load(Map.of("EVENT_RATE", "0", "EVENT_BURST", "0"), new String[0]).eventLimits().burst())
                .isZero();
    }

    @Test
    void anOutboundLimitOfAFewBytesIsRefusedAsLikelyMeantInKibibytes() {
        assertThatThrownBy(() -> GatewayConfig.load(Map.of("OUTBOUND_LIMIT", "4096"), new String[0]))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("OUTBOUND_LIMIT: '4096' is too small: 0 (no limit) or at least 65536 (in bytes)");
        assertThat(GatewayConfig.load(Map.of("OUTBOUND_LIMIT", "65536"), new String[0]).engine().outboundLimit())
                .isEqualTo(65_536);
        assertThat(GatewayConfig.load(Map.of("OUTBOUND_LIMIT", "0"), new String[0]).engine().outboundLimit()).isZero();
    }

    @Test
    void theRedisCommandQueueIsBoundedByDefaultAndMayBeSet() {
        assertThat(GatewayConfig.load(Map.of(), new String[0]).cluster().commandQueueSize()).isEqualTo(65_536);
        GatewayConfig set = GatewayConfig.load(Map.of("REDIS_COMMAND_QUEUE_SIZE", "1000"), new String[0]);
        assertThat(set.cluster().commandQueueSize()).isEqualTo(1000);
        assertThat(set.describe()).contains("redisCommandQueueSize=1000");
        assertThatThrownBy(() -> GatewayConfig.load(Map.of("REDIS_COMMAND_QUEUE_SIZE", "0"), new String[0]))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("REDIS_COMMAND_QUEUE_SIZE: '0' must be a positive number");
    }

    @Test
    void whatLikelyMeantSomethingElseIsAWarning() {
        Map<String, String> env = Map.ofEntries(Map.entry("REDIS_URI", "redis://redis:6379"),
                Map.entry("PING_INTERVALL", "1000"), Map.entry("JWT_SECERT", "x"),
                Map.entry("JWT_SECRET", "a-secret-of-at-least-thirty-two-bytes!"), Map.entry("REDIS_ADAPTER", "streams"),
                Map.entry("redisUrl", "redis://redis:6379"),
                // What a container's environment holds besides: none of it is a setting misspelled.
                Map.entry("HOME", "/root"), Map.entry("KUBERNETES_SERVICE_HOST", "10.0.0.1"), Map.entry("LOG_LEVEL", "DEBUG"),
                Map.entry("NODE_IP", "10.0.0.2"), Map.entry("APP_KEY", "x"), Map.entry("REDIS_PORT", "tcp://10.0.0.3:6379"),
                Map.entry("SOCKETIO_GATEWAY_PORT", "tcp://10.0.0.4:3000"));
        GatewayConfig config = GatewayConfig.load(env, new String[0]);

        assertThat(config.redisUrl()).isEmpty();
        assertThat(config.warnings()).containsExactlyInAnyOrder(
                "REDIS_URI is not a setting and is ignored: did you mean REDIS_URL?",
                "PING_INTERVALL is not a setting and is ignored: did you mean PING_INTERVAL?",
                "JWT_SECERT is not a setting and is ignored: did you mean JWT_SECRET?",
                "redisUrl is not read from the environment: the variable is REDIS_URL",
                "REDIS_ADAPTER has no effect without REDIS_URL (single node)",
                "JWT_SECRET has no effect without AUTH_MODE=jwt: connections are not authenticated");
    }

    /**
     * Each cluster setting (REDIS_*, CLUSTER_*, OUTAGE_*) set on a single node is named in a warning, so a cluster
     * configuration that lost its REDIS_URL does not pass for one. REDIS_SENTINEL_PASSWORD is a problem instead.
     */
    @Test
    void everyClusterSettingWithoutRedisUrlIsAWarning() {
        List<Setting> clusterOnly = java.util.Arrays.stream(Setting.values())
                .filter(setting -> setting.env().matches("(REDIS|CLUSTER|OUTAGE)_.*"))
                .filter(setting -> setting != Setting.REDIS_URL && setting != Setting.REDIS_SENTINEL_PASSWORD).toList();
        assertThat(clusterOnly).contains(Setting.REDIS_COMMAND_QUEUE_SIZE, Setting.REDIS_KEY, Setting.OUTAGE_BUFFER_AGE);

        for (Setting setting : clusterOnly) {
            assertThat(GatewayConfig.load(Map.of(setting.env(), setting.defaultValue()), new String[0]).warnings())
                    .as(setting.env()).containsExactly(setting.env() + " has no effect without REDIS_URL (single node)");
        }
    }

    @Test
    void aSettingOfAnotherTransportOrAnEmptyRedisUrlIsAWarning() {
        assertThat(GatewayConfig.load(Map.of("REDIS_URL", "redis://redis:6379", "REDIS_SUBSCRIPTION_MODE", "static",
                "REDIS_STREAM_MAX_LEN", "500"), new String[0]).warnings()).containsExactlyInAnyOrder(
                "REDIS_SUBSCRIPTION_MODE has no effect without REDIS_ADAPTER=sharded",
                "REDIS_STREAM_MAX_LEN has no effect without REDIS_ADAPTER=streams");
        assertThat(GatewayConfig.load(Map.of("REDIS_URL", " "), new String[0]).warnings())
                .containsExactly("REDIS_URL is set but empty: this node runs alone, in memory");
        assertThat(GatewayConfig.load(Map.of("REDIS_URL", "redis://redis:6379", "REDIS_ADAPTER", "sharded",
                "REDIS_SUBSCRIPTION_MODE", "static"), new String[0]).warnings()).isEmpty();
        assertThat(GatewayConfig.load(Map.of("REDIS_URL", "redis://redis:6379", "REDIS_ADAPTER", "streams",
                "OUTAGE_BUFFER_SIZE", "500", "MAX_DISCONNECTION_DURATION", "60000"), new String[0]).warnings())
                .containsExactly("MAX_DISCONNECTION_DURATION has no effect without CONNECTION_STATE_RECOVERY=true");
        assertThat(GatewayConfig.load(Map.of("REDIS_URL", "redis://redis:6379", "REDIS_ADAPTER", "streams",
                "CONNECTION_STATE_RECOVERY", "true", "MAX_DISCONNECTION_DURATION", "60000"), new String[0]).warnings())
                .isEmpty();
    }

    @Test
    void authSettingsWithoutJwtAndAForwardedHeaderWithoutTrustedProxiesAreWarnings() {
        assertThat(GatewayConfig.load(Map.of("AUTH_PUBLIC_NAMESPACES", "/lobby", "TOKEN_EXPIRY_GRACE", "60000",
                "FORWARDED_HEADER", "forwarded"), new String[0]).warnings()).containsExactlyInAnyOrder(
                "AUTH_PUBLIC_NAMESPACES has no effect without AUTH_MODE=jwt: connections are not authenticated",
                "TOKEN_EXPIRY_GRACE has no effect without AUTH_MODE=jwt: connections are not authenticated",
                "FORWARDED_HEADER has no effect without TRUSTED_PROXIES");
        assertThat(GatewayConfig.load(Map.of("AUTH_REQUIRED_NAMESPACES", "/admin"), new String[0]).warnings())
                .containsExactly("AUTH_REQUIRED_NAMESPACES has no effect without AUTH_MODE=jwt: connections are not authenticated");
        assertThat(GatewayConfig.load(Map.of("AUTH_MODE", "jwt", "JWT_SECRET", "0123456789abcdef0123456789abcdef",
                "AUTH_PUBLIC_NAMESPACES", "/lobby", "TOKEN_EXPIRY_GRACE", "60000", "TRUSTED_PROXIES", "10.0.0.0/8",
                "FORWARDED_HEADER", "forwarded"), new String[0]).warnings()).isEmpty();
    }

    @Test
    void theJwksUrlIsLoggedWithoutItsCredentials() {
        GatewayConfig config = GatewayConfig.load(Map.of("AUTH_MODE", "jwt", "JWT_AUDIENCE", "gateway",
                "JWT_JWKS_URL", "https://user:pass@idp.example/keys?access_token=abc"), new String[0]);

        assertThat(config.describe()).contains("jwtKeys=https://****@idp.example/keys?****")
                .doesNotContain("pass").doesNotContain("abc");
    }

    @Test
    void aJwksUrlThatDoesNotParseIsReportedWithItsVariableAndNotItsValue() {
        Map<String, String> bad = Map.of("https://", "not a URL: Expected authority at index 8",
                "https://idp.example/my keys", "not a URL: Illegal character in path at index 22",
                "https://user:secret@:443/keys", "names no host",
                "ftp://idp.example/keys", "expected an http(s) URL");
        bad.forEach((url, reason) -> assertThatThrownBy(() -> GatewayConfig.load(Map.of("AUTH_MODE", "jwt",
                "JWT_AUDIENCE", "gateway", "JWT_JWKS_URL", url), new String[0]))
                .as(url).isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactly("JWT_JWKS_URL: " + reason))
                .hasMessageNotContaining("secret"));
        assertThat(GatewayConfig.load(Map.of("AUTH_MODE", "jwt", "JWT_AUDIENCE", "gateway",
                "JWT_JWKS_URL", "HTTPS://idp.example:8443/.well-known/jwks.json"), new String[0]).auth().jwksUrl()).isPresent();
    }

    @Test
    void aJwksKeySetNeedsAnAudience() {
        assertThatThrownBy(() -> GatewayConfig.load(Map.of("AUTH_MODE", "jwt", "JWT_ISSUER", "https://idp.example/",
                "JWT_JWKS_URL", "https://idp.example/keys"), new String[0]))
                .isInstanceOf(ConfigException.class).hasMessageContaining("JWT_JWKS_URL needs JWT_AUDIENCE");
        // A key of this application's own (a secret, a PEM key) signs only its tokens: no audience needed.
        assertThat(GatewayConfig.load(Map.of("AUTH_MODE", "jwt", "JWT_SECRET", "0123456789abcdef0123456789abcdef"),
                new String[0]).auth().audience()).isEmpty();
    }

    @Test
    void originsThatNoBrowserSendsAreRefusedAtStart() {
        for (String origin : List.of("https://App.example.com", "https://app.example.com/", "app.example.com",
                "https://app.example.com/path", "null")) {
            assertThatThrownBy(() -> GatewayConfig.load(Map.of("CORS_ORIGINS", "https://ok.example," + origin), new String[0]))
                    .as(origin).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("CORS_ORIGINS: '" + origin + "' is not an origin as browsers send it");
        }
        assertThatThrownBy(() -> GatewayConfig.load(Map.of("CORS_ORIGINS", "https://app.example.com:443"), new String[0]))
                .isInstanceOf(ConfigException.class).hasMessageContaining("default port");
        assertThatThrownBy(() -> GatewayConfig.load(Map.of("CORS_ORIGINS", "*", "ADMIN_UI", "production",
                "ADMIN_UI_AUTH", "none", "ADMIN_UI_ORIGINS", "https://Admin.socket.io"), new String[0]))
                .isInstanceOf(ConfigException.class).hasMessageContaining("ADMIN_UI_ORIGINS: 'https://Admin.socket.io'");
        assertThat(GatewayConfig.load(Map.of("CORS_ORIGINS", "https://app.example.com,http://localhost:3000,"
                + "http://[::1]:8080,capacitor://localhost,https://xn--bcher-kva.example"), new String[0]).engine().corsOrigins())
                .hasSize(5);
    }

    @Test
    void theBroadcastFlushWindowMayBeTurnedOffButNotBeNegative() {
        assertThat(GatewayConfig.load(Map.of(), new String[0]).broadcastFlushWindow()).isEqualTo(java.time.Duration.ofMillis(5));
        assertThat(GatewayConfig.load(Map.of("BROADCAST_FLUSH_WINDOW", "0"), new String[0]).broadcastFlushWindow()).isZero();
        assertThat(GatewayConfig.load(Map.of(), new String[] {"--broadcastFlushWindow=12"}).broadcastFlushWindow())
                .isEqualTo(java.time.Duration.ofMillis(12));
        assertThatThrownBy(() -> GatewayConfig.load(Map.of("BROADCAST_FLUSH_WINDOW", "-1"), new String[0]))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("BROADCAST_FLUSH_WINDOW: '-1' must be zero or more");
    }

    @Test
    void theDrainWindowAndTheTokenGraceMayBeZero() {
        GatewayConfig zero = GatewayConfig.load(Map.of("DRAIN_WINDOW", "0", "TOKEN_EXPIRY_GRACE", "0"), new String[0]);
        assertThat(zero.drainWindow()).isZero();
        assertThat(zero.auth().tokenExpiryGrace()).isZero();
        assertThatThrownBy(() -> GatewayConfig.load(Map.of("DRAIN_WINDOW", "-1"), new String[0]))
                .isInstanceOf(ConfigException.class).hasMessageContaining("DRAIN_WINDOW");
    }

    @Test
    void settingsWhoseTypoWouldOpenOrCloseEverythingAreRefused() {
        // A required-namespace list naming no namespace would leave every namespace public.
        assertThatThrownBy(() -> GatewayConfig.load(Map.of("AUTH_MODE", "jwt", "JWT_SECRET", "a-test-secret-of-at-least-32-bytes!!",
                "AUTH_REQUIRED_NAMESPACES", "chat"), new String[0]))
                .isInstanceOf(ConfigException.class).hasMessageContaining("AUTH_REQUIRED_NAMESPACES: 'chat' is not a namespace");
        // '*' (every namespace), as documented, is one.
        assertThat(GatewayConfig.load(Map.of("AUTH_MODE", "jwt", "JWT_SECRET", "a-test-secret-of-at-least-32-bytes!!",
                "AUTH_REQUIRED_NAMESPACES", "*"), new String[0]).auth().requiredNamespaces()).contains(java.util.Set.of("*"));
        // The hosted Admin UI's origin alone would make an allow-list that refuses the application's browsers.
        assertThatThrownBy(() -> GatewayConfig.load(Map.of("ADMIN_UI", "production", "ADMIN_UI_AUTH", "none",
                "ADMIN_UI_ORIGINS", "https://admin.socket.io"), new String[0]))
                .isInstanceOf(ConfigException.class).hasMessageContaining("CORS_ORIGINS is empty");
        assertThat(GatewayConfig.load(Map.of("ADMIN_UI", "production", "ADMIN_UI_AUTH", "none",
                "ADMIN_UI_ORIGINS", "https://admin.socket.io", "CORS_ORIGINS", "*"), new String[0]).engine().corsOrigins())
                .containsExactly("*", "https://admin.socket.io");
    }

    @Test
    void conformanceModeUsesTheTestServerTimingsUnlessAFlagSaysOtherwise() {
        GatewayConfig config = GatewayConfig.load(Map.of("SOCKETIO_PORT", "5000"), new String[] {"--conformance", "--pingTimeout=250"});

        assertThat(config.conformance()).isTrue();
        assertThat(config.port()).isEqualTo(3000);
        assertThat(config.engine().pingInterval().toMillis()).isEqualTo(300);
        assertThat(config.engine().pingTimeout().toMillis()).isEqualTo(250);
    }

    @Test
    void recoveryInAClusterNeedsTheStreamsTransportAndSaysWhatToSet() {
        for (String transport : new String[] {"classic", "sharded"}) {
            Map<String, String> env = Map.of("REDIS_URL", "redis://redis:6379", "REDIS_ADAPTER", transport,
                    "CONNECTION_STATE_RECOVERY", "true");
            assertThatThrownBy(() -> GatewayConfig.load(env, new String[0]))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("REDIS_ADAPTER=streams")
                    .hasMessageContaining("CONNECTION_STATE_RECOVERY=false");
        }
        GatewayConfig streams = GatewayConfig.load(Map.of("REDIS_URL", "redis://redis:6379", "REDIS_ADAPTER", "streams",
                "CONNECTION_STATE_RECOVERY", "true", "REDIS_STREAM_MAX_LEN", "500"), new String[0]);
        assertThat(streams.recovery()).isPresent();
        assertThat(streams.cluster().transport()).isEqualTo(io.realtime.cluster.TransportKind.STREAMS);
        assertThat(streams.cluster().streamMaxLen()).isEqualTo(500);
        assertThat(GatewayConfig.load(Map.of("REDIS_URL", "redis://redis:6379", "REDIS_ADAPTER", "streams"), new String[0])
                .cluster().streamMaxLen()).as("redis-streams-adapter's maxLen").isEqualTo(10_000);
        assertThatThrownBy(() -> GatewayConfig.load(Map.of("REDIS_ADAPTER", "kafka"), new String[0]))
                .hasMessageContaining("expected classic, sharded or streams");
    }

    @Test
    void theRecoveryLogsByteBudgetIsASettingOfASingleNode() {
        assertThat(GatewayConfig.load(Map.of("CONNECTION_STATE_RECOVERY", "true"), new String[0]).recovery().orElseThrow()
                .maxLogBytes()).isEqualTo(32L << 20).isEqualTo(io.realtime.cluster.recovery.RecoveryOptions.DEFAULT_MAX_LOG_BYTES);
        GatewayConfig set = GatewayConfig.load(Map.of("CONNECTION_STATE_RECOVERY", "true", "RECOVERY_LOG_BYTES", "1048576"),
                new String[0]);
        assertThat(set.recovery().orElseThrow().maxLogBytes()).isEqualTo(1_048_576);
        assertThat(set.describe()).contains("recoveryLogBytes=1048576");
        assertThat(GatewayConfig.load(Map.of("CONNECTION_STATE_RECOVERY", "true"), new String[] {"--recoveryLogBytes=2000000"})
                .recovery().orElseThrow().maxLogBytes()).isEqualTo(2_000_000);
        for (String bad : new String[] {"0", "-1", "lots"}) {
            assertThatThrownBy(() -> GatewayConfig.load(Map.of("CONNECTION_STATE_RECOVERY", "true", "RECOVERY_LOG_BYTES", bad),
                    new String[0])).isInstanceOf(ConfigException.class).hasMessageContaining("RECOVERY_LOG_BYTES");
        }
        assertThat(GatewayConfig.load(Map.of("RECOVERY_LOG_BYTES", "1048576"), new String[0]).warnings())
                .containsExactly("RECOVERY_LOG_BYTES has no effect without CONNECTION_STATE_RECOVERY=true");
        assertThat(GatewayConfig.load(Map.of("REDIS_URL", "redis://redis:6379", "REDIS_ADAPTER", "streams",
                "CONNECTION_STATE_RECOVERY", "true", "RECOVERY_LOG_BYTES", "1048576"), new String[0]).warnings())
                .containsExactly("RECOVERY_LOG_BYTES has no effect without a single node's log in memory: the streams"
                        + " transport replays from the stream (REDIS_STREAM_MAX_LEN)");
    }

    @Test
    void redisPasswordIsMaskedWhenDescribed() {
        GatewayConfig config = GatewayConfig.load(Map.of("REDIS_URL", "redis://user:hunter2@redis:6379/0"), new String[0]);

        assertThat(config.describe()).contains("redis://user:****@redis:6379/0").doesNotContain("hunter2");
        // lettuce takes the last '@' as the end of the credentials: so does the mask.
        assertThat(GatewayConfig.load(Map.of("REDIS_URL", "redis://:p@ss@redis:6379"), new String[0]).describe())
                .contains("redis://:****@redis:6379").doesNotContain("ss@");
        assertThat(GatewayConfig.load(Map.of("REDIS_URL", "redis-cluster://default:a+b/c@r1:7000,r2:7001"), new String[0])
                .describe()).contains("redis-cluster://default:****@r1:7000,r2:7001").doesNotContain("a+b");
    }

    @Test
    void theSentinelsOwnPasswordGoesWithASentinelUrlOnlyAndIsMasked() {
        GatewayConfig config = GatewayConfig.load(Map.of("REDIS_URL", "redis-sentinel://:primary-pw@s:26379#mymaster",
                "REDIS_SENTINEL_PASSWORD", "sentinel-pw"), new String[0]);
        assertThat(config.cluster().sentinelPassword()).contains("sentinel-pw");
        assertThat(config.describe()).contains("redisSentinelPassword=****").doesNotContain("sentinel-pw").doesNotContain("primary-pw");
        assertThatThrownBy(() -> GatewayConfig.load(Map.of("REDIS_URL", "redis://r:6379", "REDIS_SENTINEL_PASSWORD", "x"), new String[0]))
                .isInstanceOf(ConfigException.class).hasMessageContaining("REDIS_SENTINEL_PASSWORD: only a redis-sentinel://");
    }

    /**
     * A PROXY header names the client, so it is believed from the balancers of PROXY_PROTOCOL_FROM only: the protocol
     * without them is refused, and so are balancers listed while the protocol is off.
     */
    @Test
    void theProxyProtocolNeedsTheBalancersAllowedToSendItAndTheyNeedTheProtocol() {
        assertThatThrownBy(() -> GatewayConfig.load(Map.of("PROXY_PROTOCOL", "true"), new String[0]))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("PROXY_PROTOCOL=true needs PROXY_PROTOCOL_FROM");
        assertThatThrownBy(() -> GatewayConfig.load(Map.of("PROXY_PROTOCOL", "true", "PROXY_PROTOCOL_FROM", " , "), new String[0]))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("PROXY_PROTOCOL=true needs PROXY_PROTOCOL_FROM");
        assertThatThrownBy(() -> GatewayConfig.load(Map.of("PROXY_PROTOCOL_FROM", "10.0.0.0/8"), new String[0]))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("PROXY_PROTOCOL_FROM: only with PROXY_PROTOCOL=true");
        assertThatThrownBy(() -> GatewayConfig.load(Map.of("PROXY_PROTOCOL", "true", "PROXY_PROTOCOL_FROM", "10.0.0.0/33"),
                new String[0])).isInstanceOf(ConfigException.class)
                .hasMessageContaining("PROXY_PROTOCOL_FROM: not a CIDR: '10.0.0.0/33'");

        GatewayConfig config = GatewayConfig.load(Map.of("PROXY_PROTOCOL", "true",
                "PROXY_PROTOCOL_FROM", "10.0.0.0/8, 192.0.2.1"), new String[0]);
        assertThat(config.describe()).contains("proxyProtocol=true").contains("proxyProtocolFrom=[10.0.0.0/8, 192.0.2.1]");
        assertThat(config.warnings()).isEmpty();
    }

    @Test
    void aRedisUrlThatCouldNotBeConnectedToIsAConfigurationProblemThatNeverShowsItsPassword() {
        for (String url : new String[] {"redis-sentinel://:hunter2@s:26379", "redis://:hunter2@h/abc", "redis://:hunter2@h:99999",
                "redis://u:hunter2/x@h", "redis://:hunter 2@h", "redis-cluster://:hunter2@h:abc", "redis-cluster://:hunter2@"}) {
            assertThatThrownBy(() -> GatewayConfig.load(Map.of("REDIS_URL", url), new String[0]))
                    .as(url).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("REDIS_URL: not a Redis URI")
                    .hasMessageNotContaining("hunter");
        }
        // What lettuce reads is taken: TLS to Sentinel, STARTTLS; a secret's trailing newline is no part of it.
        for (String url : new String[] {"rediss-sentinel://:pw@s:26379#mymaster", "redis+tls://h:6379", "redis://h:6379\n"}) {
            assertThat(GatewayConfig.load(Map.of("REDIS_URL", url), new String[0]).redisUrl()).as(url).isPresent();
        }
    }
}
