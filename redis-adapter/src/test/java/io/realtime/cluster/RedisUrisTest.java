package io.realtime.cluster;

import io.lettuce.core.RedisCredentials;
import io.lettuce.core.RedisURI;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Redis URIs: read as lettuce reads them, refused with what is wrong, and never said with their password. */
class RedisUrisTest {

    private static String password(RedisURI uri) {
        RedisCredentials credentials = uri.getCredentialsProvider().resolveCredentials().block();
        return credentials == null || credentials.getPassword() == null ? null : new String(credentials.getPassword());
    }

    @Test
    void aClusterSeedListCarriesItsCredentialsAsWritten() {
        List<RedisURI> seeds = RedisUris.clusterSeeds("rediss-cluster://app:a+b%2Fc@d@r1:7000,r2", Duration.ofSeconds(2));

        assertThat(seeds).extracting(RedisURI::getHost, RedisURI::getPort, RedisURI::isSsl)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("r1", 7000, true), org.assertj.core.groups.Tuple.tuple("r2", 6379, true));
        // A '+' is a plus (no form field), '%2F' a slash, and the credentials end at the last '@'.
        assertThat(seeds).allSatisfy(seed -> assertThat(password(seed)).isEqualTo("a+b/c@d"));
        assertThat(seeds.get(0).getCredentialsProvider().resolveCredentials().block().getUsername()).isEqualTo("app");
    }

    @Test
    void aClusterSeedListTakesVerifyPeerAndRefusesWhatItWouldIgnore() {
        assertThat(RedisUris.clusterSeeds("rediss-cluster://r1:7000,r2:7001?verifyPeer=CA", Duration.ofSeconds(1)))
                .allSatisfy(seed -> assertThat(seed.getVerifyMode()).isEqualTo(io.lettuce.core.SslVerifyMode.CA));
        assertThat(RedisUris.clusterSeeds("rediss-cluster://r1:7000/0", Duration.ofSeconds(1)).get(0).getVerifyMode())
                .isEqualTo(io.lettuce.core.SslVerifyMode.FULL);
        assertThatThrownBy(() -> RedisUris.check("redis-cluster://r1:7000/3")).hasMessageContaining("one database");
        assertThatThrownBy(() -> RedisUris.check("redis-cluster://r1:7000?timeout=5s")).hasMessageContaining("only verifyPeer");
        assertThatThrownBy(() -> RedisUris.check("rediss-cluster://r1:7000?verifyPeer=maybe")).hasMessageContaining("FULL, CA or NONE");
        assertThatThrownBy(() -> RedisUris.check("redis-cluster://r1:7000?verifyPeer=NONE")).hasMessageContaining("for TLS");
    }

    @Test
    void aHostNameWithAnUnderscoreOrAPasswordWithARawAtSignKeepsItsPort() {
        RedisURI underscore = RedisUris.standalone("redis://redis_primary:6380/2");
        assertThat(underscore.getHost()).isEqualTo("redis_primary");
        assertThat(underscore.getPort()).isEqualTo(6380);
        assertThat(underscore.getDatabase()).isEqualTo(2);

        RedisURI rawAt = RedisUris.standalone("rediss://app:p@ss@cache.internal:6390?timeout=5s");
        assertThat(rawAt.getHost()).isEqualTo("cache.internal");
        assertThat(rawAt.getPort()).isEqualTo(6390);
        assertThat(rawAt.isSsl()).isTrue();
        assertThat(password(rawAt)).isEqualTo("p@ss");
        assertThat(rawAt.getTimeout()).isEqualTo(Duration.ofSeconds(5));

        assertThat(RedisUris.standalone("redis://redis_primary").getPort()).isEqualTo(6379);
        RedisURI ipv6 = RedisUris.standalone("redis://[::1]:6391");
        assertThat(ipv6.getHost()).isEqualTo("[::1]");
        assertThat(ipv6.getPort()).isEqualTo(6391);
        assertThatThrownBy(() -> RedisUris.check("redis://:hunter2@redis_primary:70000"))
                .hasMessageContaining("0 to 65535").hasMessageNotContaining("hunter");
        assertThatThrownBy(() -> RedisUris.check("redis://redis_primary:6379x")).hasMessageContaining("not a number");
    }

    @Test
    void aPasswordIsMaskedWhereverItStands() {
        assertThat(RedisUris.masked("redis://user:hunter2@redis:6379/0")).isEqualTo("redis://user:****@redis:6379/0");
        assertThat(RedisUris.masked("redis://hunter2@redis")).isEqualTo("redis://****@redis");
        assertThat(RedisUris.masked("redis://:p@ss/w@redis")).isEqualTo("redis://:****@redis");
        assertThat(RedisUris.masked("redis-sentinel://:pw@s1:26379,s2:26379#main")).isEqualTo("redis-sentinel://:****@s1:26379,s2:26379#main");
        assertThat(RedisUris.masked("redis://redis:6379")).isEqualTo("redis://redis:6379");
        assertThat(RedisAdapterOptions.builder("redis://user:hunter2@redis:6379").build().toString())
                .contains("redis://user:****@redis:6379").doesNotContain("hunter2");
    }

    @Test
    void aUriThatCouldNotBeConnectedToIsRefusedSayingWhyButNotItsPassword() {
        for (String uri : new String[] {"redis://:hunter 2@h", "redis://u:hunter2/x@h", "redis-sentinel://:hunter2@s:26379",
                "redis://:hunter2@h:99999", "redis-cluster://:hunter2@h:abc", "redis-cluster://:hunter2@", "redis-cluster://:hunter%@h"}) {
            assertThatThrownBy(() -> RedisAdapterOptions.builder(uri).build()).as(uri)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("redisUri: not a Redis URI")
                    .hasMessageNotContaining("hunter").hasNoCause();
        }
        assertThatThrownBy(() -> RedisUris.check("redis-sentinel://s:26379")).hasMessageContaining("sentinelMasterId");
        // A message may quote the credentials decoded.
        assertThat(RedisUris.scrub("refused for p@ss-word", "redis://:p%40ss-word@h")).doesNotContain("p@ss-word");
    }
}
