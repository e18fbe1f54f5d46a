package io.realtime.gateway.server;

import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.namespace.Namespace;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class CompactClientRoomsTest {

    @Test
    void everyNamespaceKeepsEachClientsRoomsInACompactSetWithNettySocketIosSemantics() throws Exception {
        GatewayServer server = new GatewayServer(new Configuration());
        for (Namespace namespace : new Namespace[] {(Namespace) server.getNamespace("/"), (Namespace) server.addNamespace("/chat")}) {
            UUID client = UUID.randomUUID();
            UUID other = UUID.randomUUID();

            namespace.join("lobby", client);
            namespace.join("news", client);
            namespace.join("lobby", other);

            Map<UUID, Set<String>> clientRooms = clientRooms(namespace);
            assertThat(clientRooms).isInstanceOf(CompactClientRooms.class);
            assertThat(clientRooms.get(client)).isInstanceOf(ClientRoomSet.class)
                    .containsExactlyInAnyOrder("lobby", "news");
            assertThat(namespace.getRooms()).contains("lobby", "news");

            namespace.leave("lobby", client);
            assertThat(clientRooms.get(client)).containsExactly("news");
            namespace.leave("news", client);
            // netty-socketio removes a client's set once empty: the compact set must compare equal to an empty set.
            assertThat(clientRooms).doesNotContainKey(client).containsKey(other);
            assertThat(namespace.getRooms()).contains("lobby").doesNotContain("news");
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<UUID, Set<String>> clientRooms(Namespace namespace) throws ReflectiveOperationException {
        Field field = Namespace.class.getDeclaredField("clientRooms");
        field.setAccessible(true);
        return (Map<UUID, Set<String>>) field.get(namespace);
    }
}
