package io.realtime.gateway.http;

import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;

import java.util.concurrent.TimeUnit;

/**
 * The connections a server accepted, for its stop to close itself rather than leave them to the event loops'
 * shutdown: lent loops outlive the server, and a loop that is busy when {@code shutdownGracefully(0, ...)} reaches it
 * ends without closing its channels (its quiet period of 0 skips the IoHandler's prepareToDestroy). A socket left so
 * is one nobody reads: a client's next request on it (a pooled keep-alive connection) waits for its own timeout.
 */
public final class AcceptedConnections implements AutoCloseable {

    private static final long CLOSE_WAIT_MILLIS = 500;

    private final ChannelGroup channels;

    /** @param name what the connections are, for the group's toString */
    public AcceptedConnections(String name) {
        // Stays closed: a connection accepted just before the stop but registered on its loop after it is closed then.
        this.channels = new DefaultChannelGroup(name, GlobalEventExecutor.INSTANCE, true);
    }

    /** Call as the connection is initialised; it leaves by itself when it closes. */
    public void add(Channel connection) {
        channels.add(connection);
    }

    /**
     * Closes every connection, and any added later; call once the server no longer listens. Waits half a second at
     * most: a stop must not hang on one slow close.
     */
    @Override
    public void close() {
        channels.close().awaitUninterruptibly(CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
    }
}
