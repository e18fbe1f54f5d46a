package io.realtime.gateway.api;

import java.util.Set;

/** What a gateway put on the server: its namespace, the events it handles and the events it sends. */
public record RegisteredGateway(String namespace, Class<?> type, Set<String> handledEvents, Set<String> emittedEvents) {
}
