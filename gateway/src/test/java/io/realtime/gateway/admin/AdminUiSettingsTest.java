package io.realtime.gateway.admin;

import io.realtime.gateway.config.ConfigException;
import io.realtime.gateway.config.GatewayConfig;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AdminUiSettingsTest {

    private static final String HASH = "$2b$10$" + "N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy";

    @Test
    void offByDefault() {
        GatewayConfig config = GatewayConfig.load(Map.of("NODE_ID", "n1"), new String[0]);
        assertThat(config.adminUi().enabled()).isFalse();
        assertThat(config.adminUi().namespace()).isEqualTo("/admin");
    }

    @Test
    void onWithoutCredentialsTheNodeRefusesToStart() {
        assertThatThrownBy(() -> GatewayConfig.load(Map.of("ADMIN_UI", "production"), new String[0]))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("ADMIN_UI=production needs ADMIN_UI_USERNAME and ADMIN_UI_PASSWORD_HASH");
        assertThatThrownBy(() -> GatewayConfig.load(Map.of("ADMIN_UI", "development", "ADMIN_UI_USERNAME", "admin",
                "ADMIN_UI_PASSWORD_HASH", "plain-text-password"), new String[0]))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("ADMIN_UI_PASSWORD_HASH: not a bcrypt hash");
    }

    @Test
    void badValuesAreReportedTogether() {
        assertThatThrownBy(() -> GatewayConfig.load(Map.of("ADMIN_UI", "dev", "ADMIN_UI_AUTH", "maybe", "ADMIN_UI_READONLY", "yes",
                "ADMIN_UI_NAMESPACE", "admin", "ADMIN_UI_ORIGINS", "*"), new String[0]))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("ADMIN_UI: expected off, production or development");
        assertThatThrownBy(() -> GatewayConfig.load(Map.of("ADMIN_UI", "production", "ADMIN_UI_AUTH", "maybe", "ADMIN_UI_READONLY", "yes",
                "ADMIN_UI_NAMESPACE", "admin", "ADMIN_UI_ORIGINS", "*"), new String[0]))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("ADMIN_UI_AUTH: expected basic or none")
                .hasMessageContaining("ADMIN_UI_READONLY: expected true or false")
                .hasMessageContaining("ADMIN_UI_NAMESPACE: expected a namespace")
                .hasMessageContaining("ADMIN_UI_ORIGINS: list the UI's origins");
    }

    @Test
    void credentialsOrAnExplicitNoAuthAndTheOriginsJoinCors() {
        GatewayConfig basic = GatewayConfig.load(Map.of("ADMIN_UI", "Production", "ADMIN_UI_USERNAME", "admin",
                "ADMIN_UI_PASSWORD_HASH", HASH, "ADMIN_UI_ORIGINS", "https://admin.socket.io", "CORS_ORIGINS", "https://app.example"),
                new String[0]);
        assertThat(basic.adminUi().mode()).isEqualTo(AdminUiSettings.Mode.PRODUCTION);
        assertThat(basic.adminUi().authenticate()).isTrue();
        assertThat(basic.engine().corsOrigins()).containsExactly("https://app.example", "https://admin.socket.io");
        assertThat(basic.describe()).contains("adminUi=production /admin user admin hash(****)").doesNotContain(HASH);

        GatewayConfig none = GatewayConfig.load(Map.of("ADMIN_UI", "development", "ADMIN_UI_AUTH", "none"), new String[0]);
        assertThat(none.adminUi().authenticate()).isFalse();
        assertThat(none.engine().corsOrigins()).isEmpty();
    }
}
