package io.realtime.gateway.metrics;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.corundumstudio.socketio.Configuration;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.realtime.cluster.Cluster;
import io.realtime.gateway.server.GatewayServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The node-count sampling task: it survives a count that throws, and closing the binder ends it. */
class ClusterLinkMetricsTest {

    /** Runs the binder's periodic task every few milliseconds instead of every {@link ClusterLinkMetrics#SAMPLING}. */
    private static final class FastScheduler extends ScheduledThreadPoolExecutor {
        final AtomicInteger runs = new AtomicInteger();
        volatile java.util.concurrent.Future<?> task;

        FastScheduler() {
            super(1);
        }

        @Override
        public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
            ScheduledFuture<?> scheduled = super.scheduleWithFixedDelay(() -> {
                runs.incrementAndGet();
                command.run();
            }, 0, 5, TimeUnit.MILLISECONDS);
            task = scheduled;
            return scheduled;
        }
    }

    private final FastScheduler scheduler = new FastScheduler();
    private final Logger logger = (Logger) LoggerFactory.getLogger(ClusterLinkMetrics.class);
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private GatewayServer server;
    private Cluster cluster;

    @BeforeEach
    void watchTheLog() {
        logged.start();
        logger.addAppender(logged);
        server = new GatewayServer(new Configuration());
        cluster = Cluster.local(server);
    }

    @AfterEach
    void stop() {
        logger.detachAppender(logged);
        scheduler.shutdownNow();
        cluster.close();
    }

    @Test
    void aCountThatThrowsIsLoggedOnceAndTheSamplingGoesOnUntilItWorksAgain() {
        // cluster.of("/") throws at once while there is no such namespace.
        server.removeNamespace("/");
        new ClusterLinkMetrics(cluster, scheduler).bindTo(new SimpleMeterRegistry());

        // A periodic task that throws is never run again: it would stop at its first run.
        await().atMost(Duration.ofSeconds(5)).until(() -> scheduler.runs.get() >= 5);
        assertThat(scheduler.task.isDone()).as("the periodic task ended").isFalse();
        assertThat(warnings()).hasSize(1);

        server.addNamespace("/");
        await().atMost(Duration.ofSeconds(5)).until(() -> messages(Level.INFO).stream().anyMatch(m -> m.contains("works again")));
        server.removeNamespace("/");
        // A new failure streak is logged again, once.
        await().atMost(Duration.ofSeconds(5)).until(() -> warnings().size() == 2);
    }

    @Test
    void closingTheBinderCancelsTheSampling() {
        ClusterLinkMetrics binder = new ClusterLinkMetrics(cluster, scheduler);
        GatewayMetrics metrics = new GatewayMetrics().bind(binder);
        await().atMost(Duration.ofSeconds(5)).until(() -> scheduler.runs.get() >= 1);

        metrics.close();

        assertThat(scheduler.task.isCancelled()).isTrue();
    }

    private List<String> warnings() {
        return messages(Level.WARN);
    }

    private List<String> messages(Level level) {
        List<ILoggingEvent> events;
        // The appender adds under its own lock, from the scheduler's thread.
        synchronized (logged) {
            events = List.copyOf(logged.list);
        }
        return events.stream().filter(event -> event.getLevel() == level)
                .map(ILoggingEvent::getFormattedMessage).toList();
    }
}
