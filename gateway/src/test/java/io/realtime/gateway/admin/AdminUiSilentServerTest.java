package io.realtime.gateway.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.lettuce.core.RedisClient;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.realtime.cluster.testing.RedisFixture;
import io.realtime.gateway.testing.ProductNode;
import io.realtime.gateway.testing.ProductNode.Client;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The Admin UI's socket list when a server of the cluster never answers: what the others answered is listed. */
class AdminUiSilentServerTest {

    @Test
    void allSocketsListsTheSocketsOfTheServersThatAnswered() {
        String key = "admin-silent-" + UUID.randomUUID();
        RedisClient redis = RedisClient.create(RedisFixture.shared().uri());
        Map<String, String> env = Map.of("REDIS_URL", RedisFixture.shared().uri(), "ADMIN_UI_USERNAME", "admin",
                "ADMIN_UI_PASSWORD_HASH", AdminUiTest.HASH);
        // Counted as a server of "/" (it listens to the requests) but answers none: fetchSockets of "/" times out.
        try (StatefulRedisPubSubConnection<String, String> silent = redis.connectPubSub();
             ProductNode node = ProductNode.start(env, "--redisKey=" + key, "--adminUi=development",
                     "--clusterRequestTimeout=1000")) {
            silent.sync().subscribe(key + "-request#/#");
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> node.node().cluster().of("/").serverCount().toCompletableFuture().join() == 2);
            try (Client socket = node.open("/", null); AdminClient admin = AdminClient.connect(node, AdminUiTest.LOGIN)) {
                JsonNode all = admin.await("all_sockets", args -> true).get(0);
                List<String> ids = new ArrayList<>();
                all.forEach(listed -> ids.add(listed.get("nsp").asText() + " " + listed.get("id").asText()));
                assertThat(ids).contains("/ " + socket.sid());
            }
        } finally {
            redis.shutdown();
        }
    }
}
