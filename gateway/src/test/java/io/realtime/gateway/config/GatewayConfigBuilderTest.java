package io.realtime.gateway.config;

import io.realtime.gateway.admission.AdmissionOptions;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GatewayConfigBuilderTest {

    @Test
    void theBuildersDefaultsAreThoseOfTheSettings() {
        GatewayConfig built = GatewayConfig.builder().nodeId("n1").build();
        GatewayConfig loaded = GatewayConfig.load(Map.of("NODE_ID", "n1"), new String[0]);

        // describe() prints every setting: equal descriptions mean equal defaults, one by one (the transports are
        // a set, printed in no particular order: compared through engine() below).
        assertThat(withoutTransports(built.describe())).isEqualTo(withoutTransports(loaded.describe()));
        assertThat(built.admission()).isEqualTo(loaded.admission()).isEqualTo(new AdmissionOptions(20_000, 0, 0));
        assertThat(built.engine()).isEqualTo(loaded.engine());
        assertThat(built.auth()).isEqualTo(loaded.auth());
        assertThat(built.cluster()).isEqualTo(loaded.cluster());
        assertThat(built.tls()).isEqualTo(loaded.tls());
        assertThat(built.preStopDelay()).isEqualTo(loaded.preStopDelay());
        assertThat(built.conformance()).isEqualTo(loaded.conformance());
    }

    private static String withoutTransports(String description) {
        return description.replaceAll("transports=\\[[^]]*]", "transports=");
    }

    @Test
    void admissionLimitsComeFromTheirSettings() {
        GatewayConfig config = GatewayConfig.load(Map.of("MAX_CONNECTIONS", "7", "MAX_CONNECTIONS_PER_IP", "3"),
                new String[] {"--handshakesPerIp=2"});

        assertThat(config.admission()).isEqualTo(new AdmissionOptions(7, 3, 2));
        assertThat(config.maxConnections()).isEqualTo(7);
        assertThat(config.maxConnectionsPerIp()).isEqualTo(3);
        assertThat(config.handshakesPerIp()).isEqualTo(2);
    }

    @Test
    void aConfigurationANodeCannotRunWithIsRefusedWhenBuilt() {
        assertThatThrownBy(() -> GatewayConfig.builder().port(3000).managementPort(3000).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("managementPort");
        assertThatThrownBy(() -> GatewayConfig.builder().port(70_000).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("port");
        assertThat(GatewayConfig.builder().drainWindow(Duration.ZERO).build().drainWindow()).isZero();
        assertThatThrownBy(() -> GatewayConfig.builder().drainWindow(Duration.ofMillis(-1)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("drainWindow");
    }

    @Test
    void secretsAreMaskedWhateverTheirSource() {
        GatewayConfig config = GatewayConfig.load(Map.of("API_KEY", "k-123456", "TLS_KEYSTORE_PASSWORD", "pw-987"),
                new String[] {"--authMode=jwt", "--jwtSecret=0123456789abcdef0123456789abcdef-secret"});

        assertThat(config.describe()).doesNotContain("k-123456", "pw-987", "0123456789abcdef0123456789abcdef-secret")
                .contains("apiKey=****", "jwtKeys=secret(****)");
    }
}
