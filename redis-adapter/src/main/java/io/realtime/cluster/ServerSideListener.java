package io.realtime.cluster;

import java.util.List;
import java.util.function.Consumer;

/**
 * Handles an event another server sent with {@code serverSideEmit}; {@code ack} is null when none was asked for. Runs
 * on the cluster's listener thread, one event after the other in the order they arrived, never on the thread reading
 * Redis: it may wait for a cluster request ({@code fetchSockets()}), though while it does the events after it wait.
 */
@FunctionalInterface
public interface ServerSideListener {
    void onEvent(List<Object> args, Consumer<Object> ack);
}
