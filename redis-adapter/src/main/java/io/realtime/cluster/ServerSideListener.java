package io.realtime.cluster;

import java.util.List;
import java.util.function.Consumer;

/** Handles an event another server sent with {@code serverSideEmit}; {@code ack} is null when none was asked for. */
@FunctionalInterface
public interface ServerSideListener {
    void onEvent(List<Object> args, Consumer<Object> ack);
}
