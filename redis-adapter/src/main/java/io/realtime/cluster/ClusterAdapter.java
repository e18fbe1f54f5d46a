package io.realtime.cluster;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * The adapter of one namespace, with socket.io-adapter's verbs: the in-memory implementation serves this node
 * alone; the Redis one carries each verb to every node of the cluster, with the wire protocol of Node's
 * {@code @socket.io/redis-adapter}. Methods never block; results are completion stages.
 */
public interface ClusterAdapter extends AutoCloseable {

    /** The namespace's name on the wire ({@code /}, {@code /chat}). */
    String namespace();

    /** Delivers an event to the sockets {@code opts} select. */
    void broadcast(ClusterPacket packet, BroadcastOptions opts);

    /**
     * Delivers an event that asks each client for an acknowledgement: {@code clientCount} is called once per server
     * with the number of clients it reached, {@code ack} once per client answer.
     */
    void broadcastWithAck(ClusterPacket packet, BroadcastOptions opts, IntConsumer clientCount, Consumer<Object> ack);

    /** Every room of the namespace, across the cluster. */
    CompletionStage<Set<String>> allRooms();

    /** The ids of the sockets {@code opts} select (socket.io's {@code sockets(rooms)}). */
    CompletionStage<Set<String>> sockets(BroadcastOptions opts);

    /** The sockets {@code opts} select, with their handshake, rooms and data. */
    CompletionStage<List<SocketDetails>> fetchSockets(BroadcastOptions opts);

    /** Makes the sockets {@code opts} select join {@code rooms}. */
    void addSockets(BroadcastOptions opts, Set<String> rooms);

    /** Makes the sockets {@code opts} select leave {@code rooms}. */
    void delSockets(BroadcastOptions opts, Set<String> rooms);

    /** Disconnects the sockets {@code opts} select; {@code close} also closes their connection. */
    void disconnectSockets(BroadcastOptions opts, boolean close);

    /** Sends an event to the other servers of the cluster (not to clients). */
    void serverSideEmit(List<Object> eventAndArgs);

    /** As {@link #serverSideEmit}, and collects one answer from each other server. */
    CompletionStage<List<Object>> serverSideEmitWithAck(List<Object> eventAndArgs);

    /** The same, waiting at most {@code timeout} for the answers (socket.io's {@code io.timeout(ms).serverSideEmitWithAck}). */
    default CompletionStage<List<Object>> serverSideEmitWithAck(List<Object> eventAndArgs, java.time.Duration timeout) {
        return serverSideEmitWithAck(eventAndArgs);
    }

    /**
     * Adds a listener of a server-side event sent by the other servers: every listener of the event hears it (those
     * added before too, as with socket.io's {@code io.on}); when the sender asked for an answer, the first one given
     * is sent, once.
     */
    void onServerSideEmit(String event, ServerSideListener listener);

    /** How many servers serve this namespace, this one included. */
    CompletionStage<Integer> serverCount();

    @Override
    void close();
}
