package io.realtime.gateway.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.realtime.gateway.testing.ProductNode;
import io.realtime.gateway.testing.RawWebSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The backend publish API on the internal port: every route, every error status, and delivery to clients. */
class BackendApiTest {

    private static final String KEY = "backend-key";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static ProductNode node;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        node = ProductNode.start(Map.of("API_KEY", KEY), "--pingInterval=25000", "--maxHttpBufferSize=2000");
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private HttpResponse<String> call(String method, String path, String body, String key) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(node.apiUri(path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return call("POST", path, body, KEY);
    }

    private static RawWebSocket subscribed(String userId) {
        RawWebSocket ws = node.connect("/", "{\"userId\":\"" + userId + "\"}");
        ws.sendText("421[\"subscribeToNotifications\"]");
        assertThat(ws.nextText()).isEqualTo("431[{\"subscribed\":\"" + userId + "\"}]");
        return ws;
    }

    @Test
    void notificationReachesThatUserOnlyAndAnswers202WithAReceipt() throws Exception {
        try (RawWebSocket alice = subscribed("alice"); RawWebSocket bob = subscribed("bob")) {
            HttpResponse<String> response = post("/api/v1/notifications/alice", "{\"title\":\"hi\"}");

            assertThat(response.statusCode()).isEqualTo(202);
            JsonNode receipt = JSON.readTree(response.body());
            assertThat(receipt.get("accepted").asBoolean()).isTrue();
            assertThat(receipt.get("event").asText()).isEqualTo("notification");
            assertThat(receipt.get("id").asText()).hasSize(36);
            assertThat(alice.nextText()).isEqualTo("42[\"notification\",{\"title\":\"hi\"}]");

            post("/api/v1/notifications/bob", "{\"title\":\"for bob\"}");
            assertThat(bob.nextText()).isEqualTo("42[\"notification\",{\"title\":\"for bob\"}]");
        }
    }

    @Test
    void dataReachesEveryClientAsDataUpdated() throws Exception {
        try (RawWebSocket one = node.connect("/", null); RawWebSocket two = node.connect("/", null)) {
            assertThat(post("/api/v1/data", "[1,2,3]").statusCode()).isEqualTo(202);

            assertThat(one.nextText()).isEqualTo("42[\"dataUpdated\",[1,2,3]]");
            assertThat(two.nextText()).isEqualTo("42[\"dataUpdated\",[1,2,3]]");
        }
    }

    @Test
    void emitTargetsRoomsOfANamespaceExceptOthers() throws Exception {
        try (RawWebSocket inRoom = node.connect("/chat", null); RawWebSocket alsoExcepted = node.connect("/chat", null)) {
            inRoom.sendText("42/chat,1[\"joinRoom\",\"a\"]");
            inRoom.nextText();
            inRoom.nextText();
            alsoExcepted.sendText("42/chat,1[\"joinRoom\",\"a\"]");
            alsoExcepted.nextText();
            alsoExcepted.nextText();
            alsoExcepted.sendText("42/chat,2[\"joinRoom\",\"muted\"]");
            alsoExcepted.nextText();
            alsoExcepted.nextText();

            HttpResponse<String> response = post("/api/v1/emit",
                    "{\"namespace\":\"/chat\",\"rooms\":[\"a\"],\"except\":[\"muted\"],\"event\":\"news\",\"data\":{\"n\":1}}");

            assertThat(response.statusCode()).isEqualTo(202);
            assertThat(inRoom.nextText()).isEqualTo("42/chat,[\"news\",{\"n\":1}]");
            post("/api/v1/emit", "{\"namespace\":\"/chat\",\"rooms\":[\"muted\"],\"event\":\"muted-news\"}");
            assertThat(alsoExcepted.nextText()).as("the excepted socket got nothing before").isEqualTo("42/chat,[\"muted-news\"]");
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "/api/v1/data| ",
            "/api/v1/data|{not json",
            "/api/v1/emit|[]",
            "/api/v1/emit|{\"namespace\":\"chat\",\"event\":\"x\"}",
            "/api/v1/emit|{\"namespace\":\"/\"}",
            "/api/v1/emit|{\"namespace\":\"/\",\"event\":\"disconnect\"}",
            "/api/v1/emit|{\"namespace\":\"/\",\"event\":\"x\",\"rooms\":\"not a list\"}",
            "/api/v1/emit|null",
            "/api/v1/notifications/alice|{not json",
    })
    void badBodiesAre400WithAJsonError(String path, String body) throws Exception {
        HttpResponse<String> response = post(path, body == null ? "" : body);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).get("error").get("code").asText()).isEqualTo("bad_request");
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    }

    @Test
    void aBodyOfWhitespaceOnlyIs400() throws Exception {
        for (String path : new String[] {"/api/v1/data", "/api/v1/notifications/alice", "/api/v1/emit"}) {
            HttpResponse<String> response = post(path, "  \n ");

            assertThat(response.statusCode()).as(path).isEqualTo(400);
            assertThat(JSON.readTree(response.body()).get("error").get("message").asText()).isEqualTo("a JSON body is required");
        }
    }

    @Test
    void aNotificationUserIdIsOnePathSegmentDecodedOnce() throws Exception {
        try (RawWebSocket escaped = subscribed("x%41"); RawWebSocket plus = subscribed("a+b/c")) {
            assertThat(post("/api/v1/notifications/x%2541", "{\"n\":1}").statusCode()).isEqualTo(202);
            assertThat(escaped.nextText()).isEqualTo("42[\"notification\",{\"n\":1}]");

            assertThat(post("/api/v1/notifications/a+b%2Fc", "{\"n\":2}").statusCode()).isEqualTo(202);
            assertThat(plus.nextText()).isEqualTo("42[\"notification\",{\"n\":2}]");
        }
    }

    @Test
    void aBodyNamingAFieldTwiceIs400SayingWhich() throws Exception {
        HttpResponse<String> response =
                post("/api/v1/emit", "{\"namespace\":\"/\",\"event\":\"x\",\"data\":{\"a\":1},\"namespace\":\"/chat\"}");

        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode error = JSON.readTree(response.body()).get("error");
        assertThat(error.get("code").asText()).isEqualTo("bad_request");
        assertThat(error.get("message").asText()).contains("duplicate field 'namespace'");
        assertThat(post("/api/v1/emit", "{\"namespace\":\"/chat\",\"event\":\"x\",\"data\":{\"a\":{\"a\":1}}}").statusCode())
                .isEqualTo(202);
    }

    @Test
    void missingOrWrongKeyIs401() throws Exception {
        assertThat(call("POST", "/api/v1/data", "{}", null).statusCode()).isEqualTo(401);
        HttpResponse<String> wrong = call("POST", "/api/v1/data", "{}", "not-the-key");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.headers().firstValue("www-authenticate")).hasValue("Bearer");
        assertThat(JSON.readTree(wrong.body()).get("error").get("code").asText()).isEqualTo("unauthorized");
    }

    @Test
    void unknownRoutesAndNamespacesAre404() throws Exception {
        assertThat(post("/api/v1/nothing", "{}").statusCode()).isEqualTo(404);
        assertThat(post("/elsewhere", "{}").statusCode()).isEqualTo(404);
        HttpResponse<String> namespace = post("/api/v1/emit", "{\"namespace\":\"/nope\",\"event\":\"x\"}");
        assertThat(namespace.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(namespace.body()).get("error").get("code").asText()).isEqualTo("unknown_namespace");
    }

    @Test
    void otherMethodsAre405() throws Exception {
        HttpResponse<String> response = call("GET", "/api/v1/data", null, KEY);

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().firstValue("allow")).hasValue("POST");
    }

    @Test
    void oversizeBodiesAre413() throws Exception {
        HttpResponse<String> response = post("/api/v1/data", "\"" + "x".repeat(5000) + "\"");

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.body()).contains("payload_too_large");
    }

    @Test
    void anEmitWhileTheNodeStopsIs503WithAJsonError() throws Exception {
        try (ProductNode stopping = ProductNode.start(Map.of(), "--pingInterval=25000")) {
            // The window of a stop in which the cluster has closed and this port not yet.
            stopping.node().cluster().close();

            HttpResponse<String> response = http.send(HttpRequest.newBuilder(stopping.apiUri("/api/v1/emit"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"namespace\":\"/chat\",\"event\":\"news\",\"data\":1}"))
                    .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());

            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(response.body()).contains("\"code\":\"unavailable\"");
        }
    }

    @Test
    void withoutAnApiKeyLoopbackCallersAreAcceptedButNotAPageOfAnotherSite() throws Exception {
        try (ProductNode open = ProductNode.start(Map.of(), "--pingInterval=25000")) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(open.apiUri("/api/v1/data"))
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(202);

            // Any page open in a browser on this machine could otherwise post here ("simple" requests need no preflight).
            HttpResponse<String> crossSite = http.send(HttpRequest.newBuilder(open.apiUri("/api/v1/data"))
                    .header("Origin", "https://elsewhere.example").header("Content-Type", "text/plain")
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(crossSite.statusCode()).isEqualTo(401);
            assertThat(JSON.readTree(crossSite.body()).get("error").get("code").asText()).isEqualTo("unauthorized");
        }
    }

    @Test
    void theDemoPagesNotificationTakesTheUserIdDecodedOnceAndOnlyFromItsOwnPage() throws Exception {
        try (ProductNode open = ProductNode.start(Map.of(), "--pingInterval=25000");
             RawWebSocket plus = open.connect("/", "{\"userId\":\"a+b\"}");
             RawWebSocket percent = open.connect("/", "{\"userId\":\"100%\"}")) {
            for (RawWebSocket ws : List.of(plus, percent)) {
                ws.sendText("421[\"subscribeToNotifications\"]");
                assertThat(ws.nextText()).startsWith("431[{\"subscribed\"");
            }
            String ownPage = "http://" + open.uri("/").getAuthority();
            assertThat(demoNotify(open, "a+b", ownPage).statusCode()).isEqualTo(202);
            assertThat(plus.nextText()).isEqualTo("42[\"notification\",{\"n\":1}]");
            assertThat(demoNotify(open, "100%25", null).statusCode()).isEqualTo(202);
            assertThat(percent.nextText()).isEqualTo("42[\"notification\",{\"n\":1}]");

            HttpResponse<String> crossSite = demoNotify(open, "a+b", "https://elsewhere.example");
            assertThat(crossSite.statusCode()).isEqualTo(403);
            assertThat(JSON.readTree(crossSite.body()).get("error").get("code").asText()).isEqualTo("forbidden");

            // A self-named user (AUTH_MODE=none) is held to the user id's limit, as the API's notifications are.
            try (RawWebSocket tooLong = RawWebSocket.connect(open.webSocketUri("/socket.io/?EIO=4&transport=websocket"))) {
                assertThat(tooLong.nextText()).startsWith("0{");
                tooLong.sendText("40{\"userId\":\"" + "u".repeat(129) + "\"}");
                assertThat(tooLong.nextText()).startsWith("44{").contains("auth.userId must be at most 128 characters");
            }
        }
    }

    @Test
    void aSocketThatJoinsItsNamespaceAgainWithoutCredentialsIsNotItsConnectionsLastUser() throws Exception {
        try (ProductNode open = ProductNode.start(Map.of(), "--pingInterval=25000");
             RawWebSocket ws = open.connect("/", "{\"userId\":\"alice\"}")) {
            ws.sendText("421[\"subscribeToNotifications\"]");
            assertThat(ws.nextText()).isEqualTo("431[{\"subscribed\":\"alice\"}]");
            ws.sendText("41");
            ws.sendText("40");
            String connected = ws.nextText();
            assertThat(connected).startsWith("40{");
            ws.sendText("422[\"subscribeToNotifications\"]");
            assertThat(ws.nextText()).startsWith("432[{\"subscribed\"").doesNotContain("alice");
        }
    }

    private HttpResponse<String> demoNotify(ProductNode node, String encodedUser, String origin) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(node.uri("/demo/notifications/" + encodedUser))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"n\":1}"));
        if (origin != null) {
            request.header("Origin", origin);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
