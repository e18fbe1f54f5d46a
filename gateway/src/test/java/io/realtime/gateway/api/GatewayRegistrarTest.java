package io.realtime.gateway.api;

import com.corundumstudio.socketio.SocketIOClient;
import com.corundumstudio.socketio.SocketIOServer;
import com.corundumstudio.socketio.annotation.OnConnect;
import com.corundumstudio.socketio.annotation.OnEvent;
import io.realtime.cluster.SocketIds;
import io.realtime.gateway.auth.HandshakeAuthenticator;
import io.realtime.gateway.auth.Principal;
import io.realtime.gateway.testing.RawWebSocket;
import io.realtime.gateway.testing.TestNode;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The gateway programming model on a real node: one class, typed payloads, return value as ack, errors as replies. */
class GatewayRegistrarTest {

    public record Order(@NotBlank String item, @NotNull @Max(10) Integer quantity) {
    }

    @Gateway(namespace = "/shop")
    @Emits({"welcome"})
    public static final class ShopGateway {
        @OnConnect
        public void welcome(SocketIOClient client, Principal principal) {
            client.sendEvent("welcome", principal.userId().equals(SocketIds.wire(client.getSessionId())));
        }

        @OnEvent("order")
        public Order order(Principal principal, @NotNull @Valid Order order) {
            return order;
        }

        @OnEvent("refuse")
        public Object refuse(String reason) {
            throw new GatewayException("out_of_stock", "no " + reason);
        }

        @OnEvent("crash")
        public Object crash() {
            throw new IllegalStateException("bug in a handler");
        }

        @OnEvent("later")
        public CompletableFuture<List<String>> later(String value) {
            return CompletableFuture.supplyAsync(() -> List.of(value, value));
        }

        @OnEvent("unwritable")
        public Object unwritable() {
            return new Object() {
                public Object getSelf() {
                    return this;
                }
            };
        }

        /** A tree in, the same tree out: what an echo does (the tree is taken and written as it is). */
        @OnEvent("echo")
        public com.fasterxml.jackson.databind.JsonNode echo(com.fasterxml.jackson.databind.JsonNode payload) {
            return payload;
        }

        /** An undeclared type gets plain Java values, never the parser's tree. */
        @OnEvent("kind")
        public String kind(Object payload) {
            return payload == null ? "null" : payload instanceof java.util.Map<?, ?> ? "map" : payload.getClass().getSimpleName();
        }

        @OnEvent("fire")
        public void fire(SocketIOClient client, String value) {
            client.sendEvent("fired", value);
        }

        @OnEvent("add")
        public int add(int n) {
            return n + 1;
        }
    }

    public interface Handler<T> {
        Object handle(T payload);
    }

    /** The compiler adds a bridge {@code Object handle(Object)} carrying the same annotation. */
    @Gateway(namespace = "/bridged")
    public static final class BridgedGateway implements Handler<String> {
        @OnEvent("x")
        @Override
        public String handle(String payload) {
            return payload;
        }
    }

    @Gateway(namespace = "/refused")
    public static final class PrivateHandler {
        @OnEvent("secret")
        String secret(String payload) {
            return payload;
        }
    }

    @Gateway(namespace = "/refused")
    public static final class GenericPayload {
        @OnEvent("orders")
        public int orders(List<Order> orders) {
            return orders.size();
        }
    }

    @Gateway(namespace = "/refused")
    public static final class FirstOrder {
        @OnEvent("order")
        public String order(String payload) {
            return payload;
        }
    }

    @Gateway(namespace = "/refused")
    public static final class SecondOrder {
        @OnEvent("order")
        public String order(String payload) {
            return payload;
        }
    }

    private static TestNode node;

    @BeforeAll
    static void start() {
        node = TestNode.start(GatewayRegistrarTest::register, "--pingInterval=25000");
    }

    private static void register(SocketIOServer server) {
        GatewayRegistrar registrar = new GatewayRegistrar(server, Validators.create(), HandshakeAuthenticator.trusting());
        RegisteredGateway registered = registrar.register(new ShopGateway());
        assertThat(registered.handledEvents()).containsExactlyInAnyOrder("order", "refuse", "crash", "later", "fire", "unwritable", "echo", "kind", "add");
        registrar.register(io.realtime.gateway.testing.PackagePrivateGateways.hidden());
        assertThat(registrar.register(new BridgedGateway()).handledEvents()).containsExactly("x");
        assertThat(registered.emittedEvents()).containsExactly("welcome");
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static RawWebSocket shop() {
        RawWebSocket ws = RawWebSocket.connect(node.webSocketUri("/socket.io/?EIO=4&transport=websocket"));
        ws.nextText();
        ws.sendText("40/shop,");
        assertThat(ws.nextText()).startsWith("40/shop,{\"sid\"");
        assertThat(ws.nextText()).isEqualTo("42/shop,[\"welcome\",true]");
        return ws;
    }

    @Test
    void aPayloadThatDoesNotFitItsParameterIsABadRequestAck() {
        try (RawWebSocket ws = shop()) {
            ws.sendText("42/shop,1[\"add\",41]");
            assertThat(ws.nextText()).isEqualTo("43/shop,1[42]");
            ws.sendText("42/shop,2[\"add\",null]");
            assertThat(ws.nextText()).startsWith("43/shop,2[{\"error\":{\"code\":\"bad_request\"");
        }
    }

    @Test
    void aGatewayClassThatIsNotPublicIsServedAndABridgeDoesNotBindTwice() {
        try (RawWebSocket ws = RawWebSocket.connect(node.webSocketUri("/socket.io/?EIO=4&transport=websocket"))) {
            ws.nextText();
            ws.sendText("40/hidden,");
            assertThat(ws.nextText()).startsWith("40/hidden,{\"sid\"");
            ws.sendText("42/hidden,1[\"shout\",\"hey\"]");
            assertThat(ws.nextText()).isEqualTo("43/hidden,1[\"HEY\"]");
        }
    }

    @Test
    void handlersThatCouldNotWorkAreRefusedWhenRegistered() {
        GatewayRegistrar registrar = new GatewayRegistrar(new SocketIOServer(new com.corundumstudio.socketio.Configuration()),
                Validators.create(), HandshakeAuthenticator.trusting());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> registrar.register(new PrivateHandler()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("public instance methods");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> registrar.register(new GenericPayload()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("generic type");
        registrar.register(new FirstOrder());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> registrar.register(new SecondOrder()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'order' already has a handler on /refused");
    }

    @Test
    void typedPayloadIsConvertedAndTheReturnValueIsTheAck() {
        try (RawWebSocket ws = shop()) {
            ws.sendText("42/shop,1[\"order\",{\"item\":\"tea\",\"quantity\":2}]");

            assertThat(ws.nextText()).isEqualTo("43/shop,1[{\"item\":\"tea\",\"quantity\":2}]");
        }
    }

    @Test
    void aTreeIsEchoedUnchangedAndAnUndeclaredTypeGetsPlainValues() {
        try (RawWebSocket ws = shop()) {
            ws.sendText("42/shop,1[\"echo\",{\"a\":[1,2.5,\"é\",null,{\"b\":true}]}]");
            assertThat(ws.nextText()).isEqualTo("43/shop,1[{\"a\":[1,2.5,\"é\",null,{\"b\":true}]}]");

            ws.sendText("42/shop,2[\"kind\",{\"a\":1}]");
            assertThat(ws.nextText()).isEqualTo("43/shop,2[\"map\"]");
            ws.sendText("42/shop,3[\"kind\",\"text\"]");
            assertThat(ws.nextText()).isEqualTo("43/shop,3[\"String\"]");
        }
    }

    @Test
    void constraintViolationsAreAnErrorAckNamingTheFields() {
        try (RawWebSocket ws = shop()) {
            ws.sendText("42/shop,2[\"order\",{\"item\":\" \",\"quantity\":11}]");

            assertThat(ws.nextText()).startsWith("43/shop,2[{\"error\":{")
                    .contains("\"code\":\"validation_failed\"", "payload.item must not be blank", "payload.quantity must be less than or equal to 10");
        }
    }

    @Test
    void wrongPayloadTypeIsABadRequest() {
        try (RawWebSocket ws = shop()) {
            ws.sendText("42/shop,3[\"order\",{\"item\":\"tea\",\"quantity\":\"two\"}]");

            assertThat(ws.nextText()).startsWith("43/shop,3[{\"error\":{").contains("\"code\":\"bad_request\"", "payload.quantity");
        }
    }

    @Test
    void gatewayExceptionBecomesItsErrorCode() {
        try (RawWebSocket ws = shop()) {
            ws.sendText("42/shop,4[\"refuse\",\"tea\"]");

            assertThat(ws.nextText()).isEqualTo("43/shop,4[{\"error\":{\"code\":\"out_of_stock\",\"message\":\"no tea\"}}]");
        }
    }

    @Test
    void unexpectedFailureIsAnInternalErrorAndTheConnectionLivesOn() {
        try (RawWebSocket ws = shop()) {
            ws.sendText("42/shop,5[\"crash\"]");
            assertThat(ws.nextText()).startsWith("43/shop,5[{\"error\":{\"code\":\"internal_error\"");

            ws.sendText("42/shop,6[\"order\",{\"item\":\"tea\",\"quantity\":1}]");
            assertThat(ws.nextText()).startsWith("43/shop,6[");
        }
    }

    @Test
    void anAnswerThatCannotBeWrittenAsJsonBecomesAnErrorAck() {
        try (RawWebSocket ws = shop()) {
            ws.sendText("42/shop,9[\"unwritable\"]");

            assertThat(ws.nextText()).startsWith("43/shop,9[{\"error\":{").contains("internal_error");
            ws.sendText("42/shop,10[\"order\",{\"item\":\"tea\",\"quantity\":1}]");
            assertThat(ws.nextText()).startsWith("43/shop,10[");
        }
    }

    @Test
    void withoutAnAckAFailureIsAnExceptionEvent() {
        try (RawWebSocket ws = shop()) {
            ws.sendText("42/shop,[\"refuse\",\"milk\"]");

            assertThat(ws.nextText()).isEqualTo("42/shop,[\"exception\",{\"status\":\"error\",\"message\":\"no milk\"}]");
        }
    }

    @Test
    void asynchronousResultsAreAcknowledgedWhenTheyComplete() {
        try (RawWebSocket ws = shop()) {
            ws.sendText("42/shop,7[\"later\",\"x\"]");

            assertThat(ws.nextText()).isEqualTo("43/shop,7[[\"x\",\"x\"]]");
        }
    }

    @Test
    void voidHandlersAckWithNothingWhenAsked() {
        try (RawWebSocket ws = shop()) {
            ws.sendText("42/shop,8[\"fire\",\"v\"]");

            assertThat(ws.nextText()).isEqualTo("42/shop,[\"fired\",\"v\"]");
            assertThat(ws.nextText()).isEqualTo("43/shop,8[]");
        }
    }

    @Test
    void aClassWithoutTheAnnotationIsRefused() {
        GatewayRegistrar registrar = new GatewayRegistrar(node.server(), Validators.create(), HandshakeAuthenticator.trusting());

        assertThatThrownBy(() -> registrar.register(new Object())).isInstanceOf(IllegalArgumentException.class);
    }
}
