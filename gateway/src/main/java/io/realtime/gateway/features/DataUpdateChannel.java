package io.realtime.gateway.features;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.realtime.cluster.Cluster;
import io.realtime.gateway.broadcast.ServerPush;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;

/**
 * The seed's Redis channel: any service may publish JSON on {@code dataUpdate}; every node hears it and delivers
 * it to its own clients of {@code /} as {@code dataUpdated} (so it is not relayed through the adapter again).
 */
public final class DataUpdateChannel {

    /** The Redis channel outside services publish on. */
    public static final String CHANNEL = "dataUpdate";

    private static final Logger log = LoggerFactory.getLogger(DataUpdateChannel.class);

    private final ServerPush push;
    private final ObjectMapper mapper;

    DataUpdateChannel(ServerPush push, ObjectMapper mapper) {
        this.push = push;
        this.mapper = mapper;
    }

    /** Listens on the channel of the cluster's Redis (nothing to hear without Redis). */
    public static void listen(Cluster cluster, ServerPush push, ObjectMapper mapper) {
        cluster.onRedisChannel(CHANNEL, new DataUpdateChannel(push, mapper)::deliver);
    }

    void deliver(String json) {
        try {
            push.dataUpdatedOnThisNode(mapper.readTree(json));
        } catch (IOException e) {
            log.warn("ignoring a '{}' message that is not JSON", CHANNEL);
        }
    }
}
