package io.realtime.gateway.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A REDIS_URL whose port is not a number is a configuration problem, reported with the others (exit 2), not a host
 * name that DNS does not know once the node connects (lettuce takes such an authority whole as the host).
 */
class RedisUrlPortTest {

    @ParameterizedTest
    @ValueSource(strings = {"redis://:secret-pw@127.0.0.1:notaport", "rediss://127.0.0.1:12ab/0", "redis://redis.local:-1",
            "redis://127.0.0.1:6379x"})
    void aPortThatIsNotANumberIsAProblemListedWithTheOthers(String url) {
        assertThatThrownBy(() -> GatewayConfig.load(Map.of("REDIS_URL", url, "PING_INTERVAL", "soon"), new String[0]))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).hasSize(2))
                .hasMessageContaining("PING_INTERVAL")
                .hasMessageContaining("REDIS_URL: not a Redis URI")
                .hasMessageContaining("is not a number")
                .hasMessageNotContaining("secret-pw");
    }

    @Test
    void hostsWithAndWithoutAPortStillPass() {
        for (String url : new String[] {"redis://127.0.0.1", "redis://:pw@127.0.0.1:6380/1", "rediss://redis.example.com:6380",
                "redis://[::1]:6379", "redis-sentinel://127.0.0.1:26379,127.0.0.2:26379#mymaster"}) {
            assertThat(GatewayConfig.load(Map.of("REDIS_URL", url), new String[0]).redisUrl()).as(url).contains(url);
        }
    }
}
