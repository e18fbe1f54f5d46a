package io.realtime.gateway.features;

import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.SocketIOServer;
import com.corundumstudio.socketio.namespace.Namespace;
import io.realtime.gateway.stats.TrafficTotals;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The dashboard's figures: connections as they are, rooms as the last sample counted them. */
class DashboardFiguresTest {

    private static final TrafficTotals NO_TRAFFIC = new TrafficTotals() {
        @Override
        public long eventsReceived() {
            return 0;
        }

        @Override
        public long eventsSent() {
            return 0;
        }

        @Override
        public long packetsIn() {
            return 0;
        }

        @Override
        public long bytesIn() {
            return 0;
        }

        @Override
        public long packetsOut() {
            return 0;
        }

        @Override
        public long bytesOut() {
            return 0;
        }
    };

    @Test
    void aDashboardThatConnectsIsNotWhatCountsTheRooms() {
        SocketIOServer server = new SocketIOServer(new Configuration());
        Namespace chat = (Namespace) server.addNamespace("/chat");
        DashboardFigures figures = new DashboardFigures(server, NO_TRAFFIC, "node-1", Clock.systemUTC());
        chat.joinRoom("lobby", UUID.randomUUID());
        chat.joinRoom("games", UUID.randomUUID());

        // Counting walks every room of the node (one per socket): the current figures keep the last sample's.
        assertThat(rooms(figures.current())).doesNotContainEntry("/chat", 2);
        figures.sample();
        assertThat(rooms(figures.current())).containsEntry("/chat", 2);
        assertThat(figures.current()).containsKeys("connections", "totalConnections", "eventsInPerSecond", "uptimeSeconds", "at");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Integer> rooms(Map<String, Object> figures) {
        return (Map<String, Integer>) figures.get("rooms");
    }
}
