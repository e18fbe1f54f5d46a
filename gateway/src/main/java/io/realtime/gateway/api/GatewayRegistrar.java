package io.realtime.gateway.api;

import com.corundumstudio.socketio.AckRequest;
import com.corundumstudio.socketio.SocketIOClient;
import com.corundumstudio.socketio.SocketIONamespace;
import com.corundumstudio.socketio.SocketIOServer;
import com.corundumstudio.socketio.annotation.OnConnect;
import com.corundumstudio.socketio.annotation.OnDisconnect;
import com.corundumstudio.socketio.annotation.OnEvent;
import io.realtime.gateway.auth.HandshakeAuthenticator;
import io.realtime.gateway.auth.Principal;
import io.realtime.gateway.socketio.ErrorReplies;
import io.realtime.gateway.socketio.NamespaceNames;
import io.realtime.gateway.stats.TrafficObserver;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;

/**
 * Puts {@link Gateway} classes on a netty-socketio server: each {@code @OnEvent} method becomes a listener whose
 * payload is converted, validated (Jakarta Bean Validation constraints on the parameter), handed to the method, and
 * whose result is the ack. Refusals and failures become error replies; nothing a handler throws reaches Netty.
 */
public final class GatewayRegistrar {

    private static final Logger log = LoggerFactory.getLogger(GatewayRegistrar.class);

    private final SocketIOServer server;
    private final Validator validator;
    private final HandshakeAuthenticator authenticator;
    private final TrafficObserver observer;
    private final List<RegisteredGateway> registered = new ArrayList<>();
    /** The events bound so far, by namespace: one handler per event, whichever gateway declares it. */
    private final java.util.Map<String, Set<String>> boundEvents = new java.util.HashMap<>();

    public GatewayRegistrar(SocketIOServer server, Validator validator, HandshakeAuthenticator authenticator,
                            TrafficObserver observer) {
        this.server = server;
        this.validator = validator;
        this.authenticator = authenticator;
        this.observer = observer;
    }

    public GatewayRegistrar(SocketIOServer server, Validator validator, HandshakeAuthenticator authenticator) {
        this(server, validator, authenticator, TrafficObserver.NONE);
    }

    public List<RegisteredGateway> registered() {
        return List.copyOf(registered);
    }

    public RegisteredGateway register(Object gateway) {
        Class<?> type = gateway.getClass();
        Gateway meta = type.getAnnotation(Gateway.class);
        if (meta == null) {
            throw new IllegalArgumentException(type.getName() + " is not annotated with @Gateway");
        }
        List<Method> methods = handlers(type);
        Set<String> taken = boundEvents.computeIfAbsent(meta.namespace(), name -> new LinkedHashSet<>());
        Set<String> events = new LinkedHashSet<>();
        for (Method method : methods) {
            if (method.isAnnotationPresent(OnEvent.class)) {
                String event = method.getAnnotation(OnEvent.class).value();
                if (taken.contains(event) || !events.add(event)) {
                    throw new IllegalArgumentException(method + ": '" + event + "' already has a handler on "
                            + meta.namespace() + " (one handler per event)");
                }
                checkPayload(method);
            }
        }
        SocketIONamespace namespace = namespace(meta.namespace());
        authenticator.protect(namespace, meta.namespace(),
                meta.auth() == AuthPolicy.PUBLIC ? Optional.of(type.getSimpleName()) : Optional.empty());
        taken.addAll(events);
        for (Method method : methods) {
            if (method.isAnnotationPresent(OnEvent.class)) {
                bindEvent(namespace, gateway, method, method.getAnnotation(OnEvent.class).value());
            } else if (method.isAnnotationPresent(OnConnect.class)) {
                namespace.addConnectListener(client -> invokeLifecycle(gateway, method, client));
            } else if (method.isAnnotationPresent(OnDisconnect.class)) {
                namespace.addDisconnectListener(client -> invokeLifecycle(gateway, method, client));
            }
        }
        Emits emits = type.getAnnotation(Emits.class);
        RegisteredGateway result = new RegisteredGateway(meta.namespace(), type, Set.copyOf(events),
                emits == null ? Set.of() : Set.of(emits.value()));
        registered.add(result);
        log.debug("gateway {} on {}: events {}", type.getSimpleName(), meta.namespace(), events);
        return result;
    }

    private SocketIONamespace namespace(String name) {
        // Any netty-socketio server, not only ours: it knows the main namespace as "".
        SocketIONamespace existing = server.getNamespace(NamespaceNames.nettySocketIo(name));
        return existing != null ? existing : server.addNamespace(NamespaceNames.nettySocketIo(name));
    }

    /**
     * The handler methods of a gateway class, checked: public instance methods (a non-public or static one would be
     * silently skipped otherwise), reachable by reflection even in a class that is not public, compiler bridges left
     * out (they carry the annotations of the method they bridge to, which would bind its event twice).
     */
    private static List<Method> handlers(Class<?> type) {
        for (Class<?> declaring = type; declaring != null && declaring != Object.class; declaring = declaring.getSuperclass()) {
            for (Method method : declaring.getDeclaredMethods()) {
                if (isHandler(method) && !method.isBridge()
                        && (!Modifier.isPublic(method.getModifiers()) || Modifier.isStatic(method.getModifiers()))) {
                    throw new IllegalArgumentException(method + ": handlers must be public instance methods");
                }
            }
        }
        List<Method> methods = Arrays.stream(type.getMethods())
                .filter(method -> !method.isBridge() && !method.isSynthetic() && isHandler(method))
                .sorted(Comparator.comparing(Method::getName)).toList();
        for (Method method : methods) {
            if (!method.trySetAccessible()) {
                throw new IllegalArgumentException(method + ": not accessible to the gateway (make its class public"
                        + " or open its package)");
            }
        }
        return methods;
    }

    private static boolean isHandler(Method method) {
        return method.isAnnotationPresent(OnEvent.class) || method.isAnnotationPresent(OnConnect.class)
                || method.isAnnotationPresent(OnDisconnect.class);
    }

    /** The parameters the event's payload goes to (the others are injected). */
    private static List<Parameter> payloadParameters(Method method) {
        return Arrays.stream(method.getParameters()).filter(p -> !isInjected(p.getType())).toList();
    }

    /** One payload at most, of a type the conversion keeps whole. */
    private static void checkPayload(Method method) {
        List<Parameter> payloads = payloadParameters(method);
        if (payloads.size() > 1) {
            throw new IllegalArgumentException(method + ": at most one payload parameter, found " + payloads);
        }
        if (!payloads.isEmpty() && payloads.get(0).getParameterizedType() instanceof java.lang.reflect.ParameterizedType generic) {
            // Converted by its class, a List<Order> would hold maps: validation would pass and the handler fail.
            throw new IllegalArgumentException(method + ": payload of generic type " + generic.getTypeName()
                    + " would lose its type arguments: take an array (Order[]) or a record that holds the collection");
        }
    }

    private void bindEvent(SocketIONamespace namespace, Object gateway, Method method, String event) {
        List<Parameter> payloads = payloadParameters(method);
        Class<?> payloadType = payloads.isEmpty() ? Object.class : payloads.get(0).getType();
        boolean returnsValue = method.getReturnType() != void.class;
        // Executable validation costs microseconds per call: only methods with constraints pay for it.
        boolean constrained = validator.getConstraintsForClass(gateway.getClass())
                .getConstraintsForMethod(method.getName(), method.getParameterTypes()) != null;
        Injected[] parameters = Arrays.stream(method.getParameterTypes()).map(Injected::of).toArray(Injected[]::new);
        namespace.addEventListener(event, payloadType, (client, payload, ack) -> {
            Object[] args = arguments(parameters, client, payload, ack);
            Set<ConstraintViolation<Object>> violations;
            try {
                violations = constrained ? validator.forExecutables().validateParameters(gateway, method, args) : Set.of();
            } catch (RuntimeException e) {
                // A constraint validator that fails (or a bad constraint): the handler's failure, answered as one.
                replyWithFailure(client, ack, namespace, event, e);
                return;
            }
            if (!violations.isEmpty()) {
                observer.validationFailed(meta(namespace), event);
                ErrorReplies.reply(client, ack, "validation_failed", describe(violations));
                return;
            }
            Object result;
            try {
                result = method.invoke(gateway, args);
            } catch (InvocationTargetException e) {
                replyWithFailure(client, ack, namespace, event, e.getCause());
                return;
            } catch (IllegalAccessException e) {
                replyWithFailure(client, ack, namespace, event, e);
                return;
            } catch (IllegalArgumentException e) {
                // The payload does not fit the parameter (null or nothing for a primitive): the client's mistake.
                ErrorReplies.reply(client, ack, "bad_request", "the payload of '" + event + "' does not fit: " + e.getMessage());
                return;
            }
            if (result instanceof CompletionStage<?> stage) {
                stage.whenComplete((value, failure) -> {
                    if (failure != null) {
                        replyWithFailure(client, ack, namespace, event, failure);
                    } else {
                        acknowledge(ack, value, true);
                    }
                });
            } else {
                acknowledge(ack, result, returnsValue);
            }
        });
    }

    private static void acknowledge(AckRequest ack, Object value, boolean hasValue) {
        if (!ack.isAckRequested()) {
            return;
        }
        if (hasValue) {
            ack.sendAckData(value);
        } else {
            ack.sendAckData();
        }
    }

    private static String meta(SocketIONamespace namespace) {
        return NamespaceNames.wire(namespace);
    }

    private void replyWithFailure(SocketIOClient client, AckRequest ack, SocketIONamespace namespace, String event,
                                  Throwable failure) {
        Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (cause instanceof GatewayException refused) {
            ErrorReplies.reply(client, ack, refused.code(), refused.getMessage());
        } else {
            observer.handlerFailed(meta(namespace), event);
            log.error("handler of '{}' failed for socket {}", event, client.getSessionId(), cause);
            ErrorReplies.reply(client, ack, "internal_error", "the server could not handle '" + event + "'");
        }
    }

    /** What each parameter of a handler takes, decided once when it is bound rather than on every event. */
    private enum Injected {
        CLIENT, ACK, PRINCIPAL, PAYLOAD;

        static Injected of(Class<?> type) {
            if (type == SocketIOClient.class) {
                return CLIENT;
            } else if (type == AckRequest.class) {
                return ACK;
            } else if (type == Principal.class) {
                return PRINCIPAL;
            }
            return PAYLOAD;
        }
    }

    private static Object[] arguments(Injected[] parameters, SocketIOClient client, Object payload, AckRequest ack) {
        Object[] args = new Object[parameters.length];
        for (int i = 0; i < parameters.length; i++) {
            args[i] = switch (parameters[i]) {
                case CLIENT -> client;
                case ACK -> ack;
                case PRINCIPAL -> Principal.of(client);
                case PAYLOAD -> payload;
            };
        }
        return args;
    }

    private static boolean isInjected(Class<?> type) {
        return type == SocketIOClient.class || type == AckRequest.class || type == Principal.class;
    }

    private static void invokeLifecycle(Object gateway, Method method, SocketIOClient client) {
        try {
            Object[] args = Arrays.stream(method.getParameterTypes())
                    .map(type -> type == Principal.class ? Principal.of(client) : client).toArray();
            method.invoke(gateway, args);
        } catch (InvocationTargetException e) {
            log.error("{} failed for socket {}", method.getName(), client.getSessionId(), e.getCause());
        } catch (IllegalAccessException | IllegalArgumentException e) {
            log.error("{} could not be called for socket {}", method.getName(), client.getSessionId(), e);
        }
    }

    private static String describe(Set<ConstraintViolation<Object>> violations) {
        return violations.stream()
                .map(v -> fieldOf(v) + " " + v.getMessage())
                .sorted()
                .collect(Collectors.joining("; "));
    }

    /** "payload.room" rather than "joinRoom.arg0.room": the path a client understands. */
    private static String fieldOf(ConstraintViolation<Object> violation) {
        List<String> nodes = new ArrayList<>();
        violation.getPropertyPath().forEach(node -> nodes.add(node.getName()));
        List<String> inside = nodes.size() > 2 ? nodes.subList(2, nodes.size()) : List.of();
        return inside.isEmpty() ? "payload" : "payload." + String.join(".", inside);
    }
}
