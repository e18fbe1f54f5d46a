package io.realtime.cluster.redis;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.realtime.cluster.ClusterObserver;
import io.realtime.cluster.ClusterStats;
import io.realtime.cluster.RedisAdapterOptions;
import io.realtime.cluster.core.MalformedMessageException;
import io.realtime.cluster.testing.RedisFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A message that cannot be read is the sender's fault and counted as malformed; a message read whose handler then
 * fails is this node's, logged as an error; and no failure of one stream entry's handler ends the stream's reader.
 */
class HandlerFailureTest {

    private final String prefix = "failures-" + UUID.randomUUID() + "-";
    private final ClusterStats stats = new ClusterStats("classic");
    private RedisLink link;
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

    @BeforeEach
    void start() {
        link = RedisLink.connect(RedisAdapterOptions.builder(RedisFixture.shared().uri()).build(), stats, ClusterObserver.NONE);
        logged.start();
        ((Logger) LoggerFactory.getLogger(RedisLink.class)).addAppender(logged);
        ((Logger) LoggerFactory.getLogger(StreamReader.class)).addAppender(logged);
    }

    @AfterEach
    void stop() {
        ((Logger) LoggerFactory.getLogger(RedisLink.class)).detachAppender(logged);
        ((Logger) LoggerFactory.getLogger(StreamReader.class)).detachAppender(logged);
        link.close();
    }

    private static void publish(String channel, String message) {
        RedisFixture redis = RedisFixture.shared();
        RedisFixture.command(redis.host(), redis.port(), "PUBLISH", channel, message);
    }

    /** A copy of what was logged: the threads delivering messages append to the list meanwhile. */
    private List<ILoggingEvent> events() {
        synchronized (logged) {
            return List.copyOf(logged.list);
        }
    }

    @Test
    void aHandlerThatFailsIsLoggedAsAnErrorAndNotCountedAsAMalformedMessage() {
        String failing = prefix + "failing";
        String unreadable = prefix + "unreadable";
        link.subscribe(List.of(failing), (channel, message) -> {
            throw new IllegalStateException("a bug of ours");
        });
        link.subscribe(List.of(unreadable), (channel, message) -> {
            throw new MalformedMessageException("test kind", "not readable");
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> stats.subscriptions() == 2);

        publish(failing, "valid");
        await("the handler's failure logged").atMost(Duration.ofSeconds(5)).until(() -> events().stream()
                .anyMatch(event -> event.getLevel() == Level.ERROR && event.getThrowableProxy() != null
                        && event.getThrowableProxy().getMessage().equals("a bug of ours")));
        assertThat(stats.malformed()).as("the sender is not blamed").isZero();
        assertThat(stats.handlerFailures()).isEqualTo(1);
        // The same bug again: counted, and not one more stack trace at ERROR.
        publish(failing, "valid");
        await().atMost(Duration.ofSeconds(5)).until(() -> stats.handlerFailures() == 2);
        assertThat(events()).filteredOn(event -> event.getLevel() == Level.ERROR).hasSize(1);

        publish(unreadable, "garbage");
        await().atMost(Duration.ofSeconds(5)).until(() -> stats.malformed() == 1);
    }

    @Test
    void whatADecoderThrowsOnInputItCannotReadIsAMalformedMessage() {
        assertThatThrownBy(() -> MalformedMessageException.whileReading(() -> (String) (Object) List.of()))
                .isInstanceOf(MalformedMessageException.class)
                .satisfies(e -> assertThat(((MalformedMessageException) e).kind()).isEqualTo("unreadable: ClassCastException"));
        assertThat(MalformedMessageException.whileReading(() -> "read")).isEqualTo("read");
    }

    @Test
    void anErrorInOneStreamEntrysHandlerDoesNotEndTheReader() {
        String stream = prefix + "stream";
        List<String> delivered = new CopyOnWriteArrayList<>();
        List<String> stopped = new CopyOnWriteArrayList<>();
        StreamReader reader = StreamReader.start(link, stream, RedisAdapterOptions.builder(RedisFixture.shared().uri()).build(),
                (id, fields) -> {
                    switch (fields.get("n")) {
                        case "1" -> throw new AssertionError("an assertion of the handler");
                        case "2" -> throw new StackOverflowError();
                        default -> delivered.add(fields.get("n"));
                    }
                }, stopped::add);
        try {
            // The reader starts after the entry that ends the stream when Redis answers it: the entries come later.
            await().atMost(Duration.ofSeconds(5)).until(() -> reader.startedAfter() != null);
            RedisFixture redis = RedisFixture.shared();
            for (String n : List.of("1", "2", "3")) {
                RedisFixture.command(redis.host(), redis.port(), "XADD", stream, "*", "n", n);
            }

            await().atMost(Duration.ofSeconds(5)).until(() -> delivered.equals(List.of("3")));
            assertThat(events()).filteredOn(event -> event.getLevel() == Level.ERROR).hasSize(2);
            assertThat(stopped).as("the reader goes on").isEmpty();
        } finally {
            reader.close();
            RedisFixture.command(RedisFixture.shared().host(), RedisFixture.shared().port(), "DEL", stream);
        }
    }
}
