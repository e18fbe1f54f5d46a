package io.realtime.gateway.engineio;

import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;

import static org.assertj.core.api.Assertions.assertThat;

/** Reading a connection's client address leaves no attribute behind on it (each would be kept as long as it lives). */
class ClientAddressReadTest {

    @Test
    void readingMakesNoAttributeAndASetOneIsRead() {
        EmbeddedChannel channel = new EmbeddedChannel();
        ClientAddress.of(channel);
        assertThat(channel.hasAttr(ClientAddress.OF_REQUEST)).isFalse();
        assertThat(channel.hasAttr(ClientAddress.OF_CONNECTION)).isFalse();

        InetSocketAddress proxied = new InetSocketAddress("10.0.0.7", 4000);
        channel.attr(ClientAddress.OF_CONNECTION).set(proxied);
        assertThat(ClientAddress.of(channel)).isEqualTo(proxied);
        InetSocketAddress forwarded = new InetSocketAddress("10.0.0.8", 0);
        channel.attr(ClientAddress.OF_REQUEST).set(forwarded);
        assertThat(ClientAddress.of(channel)).isEqualTo(forwarded);
        channel.finishAndReleaseAll();
    }
}
