package io.realtime.gateway.limits;

import io.netty.channel.WriteBufferWaterMark;

import java.time.Duration;

/**
 * How many bytes may wait for one client ({@code OUTBOUND_LIMIT}). Past a sixteenth of it the client is no longer
 * writable (volatile broadcasts skip it); a client whose backlog stays over the whole of it for {@link #GRACE} does
 * not read, and is disconnected as a slow consumer.
 *
 * <p>On a WebSocket the sixteenth is Netty's high water mark, so {@code Channel.isWritable()} means what it means
 * for a long-polling session's queue.
 */
public final class OutboundLimit {

    /** No limit: Netty's default water marks, nobody is dropped. */
    public static final OutboundLimit NONE = new OutboundLimit(0);

    /**
     * The smallest limit a configuration may set: below it the water marks are a few bytes (none under 16), every
     * client counts as not writable and a healthy one that takes a moment to read is dropped. Tests may go lower.
     */
    public static final int SMALLEST_CONFIGURED = 64 * 1024;

    /** How long a backlog may stay over the limit: a burst to a healthy client drains well within it. */
    public static final Duration GRACE = Duration.ofSeconds(2);

    private final long bytes;
    private final WriteBufferWaterMark waterMark;

    private OutboundLimit(long bytes) {
        this.bytes = bytes;
        // The low mark at half the high one: writability flips back only once the client has read a good part.
        this.waterMark = bytes == 0 ? WriteBufferWaterMark.DEFAULT
                : new WriteBufferWaterMark((int) Math.min(Integer.MAX_VALUE, bytes / 32),
                (int) Math.min(Integer.MAX_VALUE, bytes / 16));
    }

    /** @param bytes the limit in bytes ({@code 0}: none) */
    public static OutboundLimit of(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("outbound limit must not be negative: " + bytes);
        }
        return bytes == 0 ? NONE : new OutboundLimit(bytes);
    }

    public boolean isLimited() {
        return bytes > 0;
    }

    public long bytes() {
        return bytes;
    }

    /** The water marks for the channels of the clients. */
    public WriteBufferWaterMark waterMark() {
        return waterMark;
    }

    /** Whether a client with this many bytes waiting still takes volatile packets. */
    public boolean isWritable(long waitingBytes) {
        return bytes == 0 || waitingBytes < waterMark.high();
    }

    /** Whether this many bytes waiting are over the limit. */
    public boolean isExceeded(long waitingBytes) {
        return bytes > 0 && waitingBytes > bytes;
    }

    @Override
    public String toString() {
        return bytes == 0 ? "OutboundLimit[none]" : "OutboundLimit[" + bytes + " bytes]";
    }
}
