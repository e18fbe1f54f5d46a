package io.realtime.gateway.metrics;

import com.corundumstudio.socketio.SocketIONamespace;
import io.realtime.gateway.api.RegisteredGateway;
import io.realtime.gateway.socketio.ErrorReplies;
import io.realtime.gateway.socketio.NamespaceNames;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The namespaces and events that may become tag values; anything else is counted as {@link MeterNames#OTHER}, so
 * clients cannot blow up cardinality. Their series exist at zero from the moment they are declared.
 *
 * @param namespaces         socket.io names ({@code /}, {@code /chat})
 * @param events             every event a gateway handles or sends
 * @param handledByNamespace the events handled in each namespace
 * @param sentByNamespace    the events sent in each namespace
 */
public record KnownNames(Set<String> namespaces, Set<String> events, Map<String, Set<String>> handledByNamespace,
                         Map<String, Set<String>> sentByNamespace) {

    public static final KnownNames NONE = new KnownNames(Set.of(), Set.of(), Map.of(), Map.of());

    public KnownNames {
        namespaces = Set.copyOf(namespaces);
        events = Set.copyOf(events);
        handledByNamespace = Map.copyOf(handledByNamespace);
        sentByNamespace = Map.copyOf(sentByNamespace);
    }

    /**
     * The names of a server's namespaces and of what its gateways handle and send, plus the error event every
     * namespace may send and {@code extraEvents} (of features that are not gateways).
     */
    public static KnownNames of(Collection<SocketIONamespace> namespaces, Collection<RegisteredGateway> gateways,
                                Set<String> extraEvents) {
        Set<String> namespaceNames = new HashSet<>();
        namespaces.forEach(namespace -> namespaceNames.add(NamespaceNames.wire(namespace)));
        Set<String> events = new HashSet<>(extraEvents);
        events.add(ErrorReplies.EXCEPTION_EVENT);
        Map<String, Set<String>> handled = new HashMap<>();
        Map<String, Set<String>> sent = new HashMap<>();
        for (RegisteredGateway gateway : gateways) {
            events.addAll(gateway.handledEvents());
            events.addAll(gateway.emittedEvents());
            handled.computeIfAbsent(gateway.namespace(), key -> new HashSet<>()).addAll(gateway.handledEvents());
            Set<String> sentHere = sent.computeIfAbsent(gateway.namespace(), key -> new HashSet<>());
            sentHere.addAll(gateway.emittedEvents());
            if (!gateway.handledEvents().isEmpty()) {
                // What a handler's failure or a refused event is answered with, when the client asked no ack.
                sentHere.add(ErrorReplies.EXCEPTION_EVENT);
            }
        }
        handled.replaceAll((namespace, names) -> Set.copyOf(names));
        sent.replaceAll((namespace, names) -> Set.copyOf(names));
        return new KnownNames(namespaceNames, events, handled, sent);
    }

    String namespace(String namespace) {
        return namespaces.contains(namespace) ? namespace : MeterNames.OTHER;
    }

    String event(String event) {
        return events.contains(event) ? event : MeterNames.OTHER;
    }
}
