package io.realtime.gateway.admin;

import com.corundumstudio.socketio.SocketIOClient;
import com.corundumstudio.socketio.Transport;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.realtime.cluster.LocalAdapter;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/** The {@code _admin} entry given to a socket's data, whatever the data held. */
class AdminSocketsTest {

    /** A client whose only behaviour is its attributes (get/set), as tag uses it. */
    private static SocketIOClient clientWith(Map<String, Object> attributes) {
        return (SocketIOClient) Proxy.newProxyInstance(AdminSocketsTest.class.getClassLoader(), new Class<?>[] {SocketIOClient.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "get" -> attributes.get((String) args[0]);
                    case "set" -> attributes.put((String) args[0], args[1]);
                    default -> null;
                });
    }

    @Test
    @SuppressWarnings("unchecked")
    void nullValuesOfTheDataAreKeptAndCanBeSetAfter() throws Exception {
        Map<String, Object> before = new HashMap<>();
        before.put("nickname", null);
        before.put("score", 3);
        Map<String, Object> attributes = new HashMap<>();
        attributes.put(LocalAdapter.SOCKET_DATA_KEY, before);
        SocketIOClient client = clientWith(attributes);

        AdminSockets.tag(client, "abcdefabcdef", Transport.WEBSOCKET, null);

        Map<String, Object> data = (Map<String, Object>) client.get(LocalAdapter.SOCKET_DATA_KEY);
        assertThat(data).containsEntry("nickname", null).containsEntry("score", 3).containsKey(AdminSockets.ADMIN_KEY);
        // What the application may do next with socket.data, as with a Node object.
        data.put("team", null);
        data.put("score", null);
        assertThat(data).containsEntry("team", null).containsEntry("score", null).hasSize(4);
        assertThat(new ObjectMapper().readTree(new ObjectMapper().writeValueAsString(AdminSockets.withoutAdmin(data))))
                .isEqualTo(new ObjectMapper().readTree("{\"nickname\":null,\"score\":null,\"team\":null}"));

        // Tagged again (another namespace's listener): the same map, its entries untouched.
        AdminSockets.tag(client, "abcdefabcdef", Transport.POLLING, null);
        Object sameData = client.get(LocalAdapter.SOCKET_DATA_KEY);
        assertThat(sameData).isSameAs(data);
        AdminSockets.setTransport(client, "websocket");
        Map<String, Object> admin = (Map<String, Object>) data.get(AdminSockets.ADMIN_KEY);
        assertThat(admin).containsEntry("transport", "websocket");
        assertThat(data).containsEntry("team", null);
    }

    @Test
    void aConcurrentMapTheApplicationSetIsKeptSoItsLaterWritesAreSeen() {
        Map<String, Object> applications = new ConcurrentHashMap<>(Map.of("score", 3));
        Map<String, Object> attributes = new HashMap<>();
        attributes.put(LocalAdapter.SOCKET_DATA_KEY, applications);
        SocketIOClient client = clientWith(attributes);

        AdminSockets.tag(client, "abcdefabcdef", Transport.WEBSOCKET, null);
        applications.put("score", 4);

        assertThat((Object) client.get(LocalAdapter.SOCKET_DATA_KEY)).isSameAs(applications);
        assertThat(applications).containsEntry("score", 4).containsKey(AdminSockets.ADMIN_KEY);
        assertThat(AdminSockets.withoutAdmin((Object) client.get(LocalAdapter.SOCKET_DATA_KEY))).isEqualTo(Map.of("score", 4));
    }

    @Test
    void theDataMapTakesNullValuesButNoNullKey() {
        SocketDataMap map = new SocketDataMap();
        map.put("a", null);
        assertThat(map.containsKey("a")).isTrue();
        assertThat(map.get("a")).isNull();
        assertThat(map.remove("a")).isNull();
        assertThat(map).isEmpty();
        map.put("b", 1);
        map.entrySet().iterator().next().setValue(null);
        assertThat(map).containsEntry("b", null);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> map.put(null, 1)).isInstanceOf(NullPointerException.class);
    }
}
