package io.realtime.gateway.admin;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.MultiTypeArgs;
import com.corundumstudio.socketio.SocketIONamespace;
import com.corundumstudio.socketio.SocketIOServer;
import com.corundumstudio.socketio.listener.MultiTypeEventListener;
import io.realtime.cluster.Cluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/** The commands' listeners, called as netty-socketio calls them, on a cluster that fails to apply them. */
class AdminCommandsTest {

    private final Logger logger = (Logger) LoggerFactory.getLogger(AdminCommands.class);
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

    @BeforeEach
    void watchLog() {
        logged.start();
        logger.addAppender(logged);
    }

    @AfterEach
    void stopWatching() {
        logger.detachAppender(logged);
    }

    /** The listeners AdminCommands registers, by event, on an admin namespace that only records them. */
    private static Map<String, MultiTypeEventListener> registered(Cluster cluster) {
        Map<String, MultiTypeEventListener> listeners = new ConcurrentHashMap<>();
        SocketIONamespace admin = (SocketIONamespace) Proxy.newProxyInstance(AdminCommandsTest.class.getClassLoader(),
                new Class<?>[] {SocketIONamespace.class}, (proxy, method, args) -> {
                    if (method.getName().equals("addMultiTypeEventListener")) {
                        listeners.put((String) args[0], (MultiTypeEventListener) args[1]);
                    }
                    return null;
                });
        new AdminCommands(cluster).register(admin);
        return listeners;
    }

    @Test
    void aCommandWhileTheClusterIsStoppingIsLoggedAsRefusedNotThrown() {
        SocketIOServer server = new SocketIOServer(new Configuration());
        Cluster cluster = Cluster.local(server);
        Map<String, MultiTypeEventListener> listeners = registered(cluster);
        cluster.close();

        List<List<Object>> commands = List.of(List.of("/", "room", "news"), List.of("/", "room"), List.of("/", "room"),
                List.of("/", true));
        List<String> events = List.of("emit", "join", "leave", "_disconnect");
        for (int i = 0; i < events.size(); i++) {
            MultiTypeEventListener listener = listeners.get(events.get(i));
            MultiTypeArgs args = new MultiTypeArgs(new ArrayList<>(commands.get(i)));
            assertThatCode(() -> listener.onData(null, args, null)).as(events.get(i)).doesNotThrowAnyException();
        }
        assertThat(logged.list).extracting(ILoggingEvent::getFormattedMessage)
                .hasSize(4)
                .allSatisfy(message -> assertThat(message).contains("refused").contains("the cluster is closed"));
    }
}
