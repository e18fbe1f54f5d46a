package io.realtime.gateway.admin;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The Admin UI's files: served and kept once found; names that do not exist are answered 404 and never kept. */
class AdminUiPageTest {

    private static int get(EmbeddedChannel channel, String path) {
        channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path));
        FullHttpResponse response = channel.readOutbound();
        try {
            return response.status().code();
        } finally {
            response.release();
        }
    }

    @Test
    void missingFilesAreNotKeptHowEverManyAreAskedFor() {
        AdminUiPage page = new AdminUiPage("/admin", "/socket.io/");
        EmbeddedChannel channel = new EmbeddedChannel(page);

        for (int i = 0; i < 1000; i++) {
            assertThat(get(channel, AdminUiPage.PREFIX + "missing-" + i + ".js")).isEqualTo(404);
        }
        assertThat(page.cachedFiles()).isZero();

        assertThat(get(channel, AdminUiPage.PREFIX)).isEqualTo(200);
        assertThat(get(channel, AdminUiPage.PREFIX)).isEqualTo(200);
        assertThat(page.cachedFiles()).isEqualTo(1);
        channel.finishAndReleaseAll();
    }
}
