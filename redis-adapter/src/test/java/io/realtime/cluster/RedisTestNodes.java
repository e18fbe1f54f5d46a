package io.realtime.cluster;

import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.namespace.Namespace;
import io.realtime.cluster.core.ClusterCoreAdapter;
import io.realtime.cluster.redis.RedisTransport;
import io.realtime.cluster.testing.RedisFixture;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Nodes of one test's cluster: a root namespace each, joined through the shared Redis under a key of their own (the
 * stream and session keys too), all closed and the stream deleted by {@link #close()}.
 */
final class RedisTestNodes implements AutoCloseable {

    record Node(Namespace namespace, RedisTransport transport, ClusterNamespace ops) {
    }

    private final String key;
    private final Duration requestTimeout;
    private final List<AutoCloseable> opened = new ArrayList<>();

    RedisTestNodes(String keyPrefix, Duration requestTimeout) {
        this.key = keyPrefix + "-" + UUID.randomUUID();
        this.requestTimeout = requestTimeout;
    }

    Node node(TransportKind kind) {
        RedisAdapterOptions options = RedisAdapterOptions.builder(RedisFixture.shared().uri()).key(key).transport(kind)
                .requestTimeout(requestTimeout)
                .streams(new RedisAdapterOptions.StreamOptions(key, 1, 10_000, 100, key + ":session:"))
                .build();
        RedisTransport transport = RedisTransport.connect(options, ClusterObserver.NONE);
        opened.add(transport);
        Namespace namespace = new Namespace("/", new Configuration());
        ClusterCoreAdapter adapter = new ClusterCoreAdapter(namespace, transport, requestTimeout, ClusterObserver.NONE, null);
        opened.add(0, adapter::close);
        transport.awaitOpened();
        return new Node(namespace, transport, new ClusterNamespace(adapter, BroadcastOptions.ALL, ClusterObserver.NONE,
                transport.scheduler()));
    }

    @Override
    public void close() throws Exception {
        for (AutoCloseable closeable : opened) {
            closeable.close();
        }
        RedisFixture.command(RedisFixture.shared().host(), RedisFixture.shared().port(), "DEL", key);
    }
}
