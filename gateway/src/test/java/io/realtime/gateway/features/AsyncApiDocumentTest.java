package io.realtime.gateway.features;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.realtime.gateway.api.RegisteredGateway;
import io.realtime.gateway.testing.ProductNode;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code gateway/asyncapi.yaml} lists exactly the events the running node's gateways handle ({@code receive}) and
 * emit ({@code send}), namespace by namespace. (Its validity as AsyncAPI 3 is checked by compat/test/asyncapi.test.js.)
 */
class AsyncApiDocumentTest {

    @Test
    void documentListsExactlyTheRegisteredEvents() throws Exception {
        JsonNode document = new ObjectMapper(new YAMLFactory()).readTree(Path.of("asyncapi.yaml").toFile());
        Map<String, Set<String>> documentedReceive = new HashMap<>();
        Map<String, Set<String>> documentedSend = new HashMap<>();
        Iterator<Map.Entry<String, JsonNode>> operations = document.get("operations").fields();
        while (operations.hasNext()) {
            JsonNode operation = operations.next().getValue();
            String channelKey = operation.get("channel").get("$ref").asText().replace("#/channels/", "");
            JsonNode channel = document.get("channels").get(channelKey);
            String address = channel.get("address").asText();
            for (JsonNode reference : operation.get("messages")) {
                String messageKey = reference.get("$ref").asText().replaceAll(".*/messages/", "");
                JsonNode message = resolve(document, channel.get("messages").get(messageKey));
                Map<String, Set<String>> target = operation.get("action").asText().equals("receive") ? documentedReceive : documentedSend;
                target.computeIfAbsent(address, a -> new TreeSet<>()).add(message.get("name").asText());
            }
        }

        Map<String, Set<String>> registeredReceive = new HashMap<>();
        Map<String, Set<String>> registeredSend = new HashMap<>();
        try (ProductNode node = ProductNode.start(Map.of())) {
            for (RegisteredGateway gateway : node.node().gateways()) {
                if (!gateway.handledEvents().isEmpty()) {
                    registeredReceive.put(gateway.namespace(), new TreeSet<>(gateway.handledEvents()));
                }
                registeredSend.put(gateway.namespace(), new TreeSet<>(gateway.emittedEvents()));
            }
        }

        assertThat(documentedReceive).isEqualTo(registeredReceive);
        assertThat(documentedSend).isEqualTo(registeredSend);
    }

    private static JsonNode resolve(JsonNode document, JsonNode message) {
        if (message.has("$ref")) {
            JsonNode node = document;
            for (String part : message.get("$ref").asText().substring(2).split("/")) {
                node = node.get(part);
            }
            return node;
        }
        return message;
    }
}
