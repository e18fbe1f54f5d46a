package io.realtime.cluster.redis;

import io.lettuce.core.SocketOptions;
import io.realtime.cluster.RedisAdapterOptions;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The socket options of every Redis connection: TCP_USER_TIMEOUT derived from the request timeout, keepalive. */
class RedisSocketOptionsTest {

    private static RedisAdapterOptions withRequestTimeout(Duration timeout) {
        return RedisAdapterOptions.builder("redis://127.0.0.1:6379").requestTimeout(timeout).build();
    }

    @Test
    void unacknowledgedDataDropsTheConnectionAfterTheRequestTimeoutAndNeverBefore10Seconds() {
        assertThat(RedisConnector.userTimeout(withRequestTimeout(Duration.ofSeconds(1)))).isEqualTo(Duration.ofSeconds(10));
        assertThat(RedisConnector.userTimeout(withRequestTimeout(Duration.ofSeconds(5)))).isEqualTo(Duration.ofSeconds(10));
        assertThat(RedisConnector.userTimeout(withRequestTimeout(Duration.ofSeconds(30)))).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void everyConnectionProbesAnIdlePeerWithin20SecondsAndHasAUserTimeoutWhereTheTransportSetsIt() {
        SocketOptions socket = RedisConnector.socketOptions(withRequestTimeout(Duration.ofSeconds(5)));
        assertThat(socket.isKeepAlive()).isTrue();
        assertThat(io.lettuce.core.resource.ExtendedKeepAliveSupport.isSupported()).as("keepalive timing settable here").isTrue();
        assertThat(socket.getKeepAlive().getIdle()).isEqualTo(Duration.ofSeconds(5));
        assertThat(socket.getKeepAlive().getInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(socket.getKeepAlive().getCount()).isEqualTo(3);
        // lettuce refuses to connect when asked for TCP_USER_TIMEOUT on NIO: asked for only on epoll or io_uring.
        assertThat(socket.isEnableTcpUserTimeout()).isEqualTo(RedisConnector.userTimeoutSupported());
        if (socket.isEnableTcpUserTimeout()) {
            assertThat(socket.getTcpUserTimeout().getTcpUserTimeout()).isEqualTo(Duration.ofSeconds(10));
        }
    }
}
