package io.realtime.gateway.features;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.realtime.cluster.Cluster;
import io.realtime.gateway.broadcast.ServerPush;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;

/**
 * The seed's Redis channel: any service may publish JSON on {@code dataUpdate}; every node hears it and delivers
 * it to its own clients of {@code /} as {@code dataUpdated} (so it is not relayed through the adapter again).
 * A message is delivered only if it is exactly one JSON value, the same bodies the backend API accepts: an empty or
 * whitespace-only message, or one with anything after its value, is logged and dropped.
 */
public final class DataUpdateChannel {

    /** The Redis channel outside services publish on. */
    public static final String CHANNEL = "dataUpdate";

    private static final Logger log = LoggerFactory.getLogger(DataUpdateChannel.class);

    private final ServerPush push;
    private final ObjectReader reader;

    DataUpdateChannel(ServerPush push, ObjectMapper mapper) {
        this.push = push;
        // Trailing tokens are refused here whatever the shared mapper's own setting, so "{...} junk" is never half-read.
        this.reader = mapper.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    /** Listens on the channel of the cluster's Redis (nothing to hear without Redis). */
    public static void listen(Cluster cluster, ServerPush push, ObjectMapper mapper) {
        cluster.onRedisChannel(CHANNEL, new DataUpdateChannel(push, mapper)::deliver);
    }

    void deliver(String json) {
        JsonNode update;
        try {
            update = reader.readTree(json);
        } catch (JsonProcessingException e) {
            log.warn("ignoring a '{}' message that is not one JSON value: {}", CHANNEL, e.getOriginalMessage());
            return;
        }
        // Empty or whitespace only: Jackson reads no value at all (a MissingNode), which would be sent as null.
        if (update == null || update.isMissingNode()) {
            log.warn("ignoring an empty '{}' message", CHANNEL);
            return;
        }
        push.dataUpdatedOnThisNode(update);
    }
}
