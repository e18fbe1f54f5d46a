package io.realtime.gateway.admin;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Admin UI's files: served and kept once found; names that do not exist are answered 404 and never kept; a HEAD
 * is answered with the GET's headers and no body.
 */
class AdminUiPageTest {

    private static int get(EmbeddedChannel channel, String path) {
        FullHttpResponse response = ask(channel, HttpMethod.GET, path);
        try {
            return response.status().code();
        } finally {
            response.release();
        }
    }

    private static FullHttpResponse ask(EmbeddedChannel channel, HttpMethod method, String path) {
        channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, path));
        return channel.readOutbound();
    }

    @Test
    void headAnswersCarryTheHeadersOfTheGetAndNoBody() {
        EmbeddedChannel channel = new EmbeddedChannel(new AdminUiPage("/admin", "/socket.io/"));
        for (String path : new String[] {AdminUiPage.PREFIX, AdminUiPage.PREFIX + "missing.js", "/admin-ui"}) {
            FullHttpResponse got = ask(channel, HttpMethod.GET, path);
            FullHttpResponse head = ask(channel, HttpMethod.HEAD, path);
            try {
                assertThat(got.content().readableBytes()).as(path).isPositive();
                assertThat(head.status()).as(path).isEqualTo(got.status());
                assertThat(head.headers().get(HttpHeaderNames.CONTENT_LENGTH)).as(path)
                        .isEqualTo(String.valueOf(got.content().readableBytes()));
                assertThat(head.headers().get(HttpHeaderNames.CONTENT_TYPE)).as(path)
                        .isEqualTo(got.headers().get(HttpHeaderNames.CONTENT_TYPE));
                assertThat(head.content().readableBytes()).as(path).isZero();
            } finally {
                got.release();
                head.release();
            }
        }
        channel.finishAndReleaseAll();
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
