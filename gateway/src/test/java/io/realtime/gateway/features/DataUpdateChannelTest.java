package io.realtime.gateway.features;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.realtime.gateway.broadcast.BroadcastTarget;
import io.realtime.gateway.broadcast.Broadcaster;
import io.realtime.gateway.broadcast.ServerPush;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class DataUpdateChannelTest {

    private record Sent(BroadcastTarget target, String event, List<Object> args) {
    }

    private final List<Sent> sent = new ArrayList<>();
    private final Broadcaster broadcaster = (target, event, args) -> sent.add(new Sent(target, event, List.of(args)));
    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void jsonOnTheChannelGoesToThisNodesClientsOfTheMainNamespace() throws Exception {
        new DataUpdateChannel(new ServerPush(broadcaster), mapper).deliver("{\"price\":42}");

        assertThat(sent).hasSize(1);
        Sent update = sent.get(0);
        assertThat(update.event()).isEqualTo(Events.DATA_UPDATED).isEqualTo("dataUpdated");
        assertThat(update.target()).isEqualTo(BroadcastTarget.everyone("/").onThisNode());
        assertThat(update.args()).containsExactly(mapper.readTree("{\"price\":42}"));
    }

    @Test
    void aMessageThatIsNotJsonIsDroppedAndTheChannelKeepsWorking() {
        DataUpdateChannel channel = new DataUpdateChannel(new ServerPush(broadcaster), mapper);

        channel.deliver("{not json");
        channel.deliver("[1,2]");

        assertThat(sent).hasSize(1);
        assertThat(sent.get(0).args()).hasSize(1);
    }

    /** The bodies the backend API answers 400 for are not delivered either, whatever the mapper's own settings. */
    @ParameterizedTest
    @ValueSource(strings = {"", "   ", " \n\t ", "{\"a\":1} junk", "{\"a\":1}{\"b\":2}", "[1] 2"})
    void aMessageThatIsNotExactlyOneJsonValueIsLoggedAndNothingIsSent(String message) {
        Logger logger = (Logger) LoggerFactory.getLogger(DataUpdateChannel.class);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        logger.addAppender(logged);
        try {
            DataUpdateChannel channel = new DataUpdateChannel(new ServerPush(broadcaster), mapper);

            channel.deliver(message);
            assertThat(sent).isEmpty();
            assertThat(logged.list).singleElement().satisfies(event -> {
                assertThat(event.getLevel()).isEqualTo(Level.WARN);
                assertThat(event.getFormattedMessage()).contains(DataUpdateChannel.CHANNEL);
            });

            channel.deliver("{\"still\":\"works\"}");
            assertThat(sent).hasSize(1);
        } finally {
            logger.detachAppender(logged);
        }
    }

    @Test
    void notificationsGoToTheUsersRoomInTheMainNamespaceOnEveryNode() {
        BroadcastTarget target = new ServerPush(broadcaster).notifyUser("alice", Map.of("text", "hi"));

        assertThat(target).isEqualTo(BroadcastTarget.room("/", "alice"));
        assertThat(target.localOnly()).isFalse();
        assertThat(sent.get(0).event()).isEqualTo(Events.NOTIFICATION).isEqualTo("notification");
    }
}
