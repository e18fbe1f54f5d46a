package io.realtime.gateway.engineio;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.local.LocalServerChannel;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The fan-out on a real event loop: when its flush runs against the broadcasts that reach the loop. */
class SessionFanOutOnLoopTest {

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, LocalIoHandler.newFactory());
    private final SessionFanOut fanOut = new SessionFanOut();
    private final AtomicInteger flushes = new AtomicInteger();
    private final List<String> received = new CopyOnWriteArrayList<>();
    private Channel server;
    private Channel client;

    @AfterEach
    void stop() throws Exception {
        if (client != null) {
            client.close().sync();
        }
        if (server != null) {
            server.close().sync();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    /** The server end of a local connection: a frame encoder, in front of it a count of the flushes that send. */
    private Channel connect() throws Exception {
        CompletableFuture<Channel> accepted = new CompletableFuture<>();
        LocalAddress address = new LocalAddress("fan-out-" + System.nanoTime());
        server = new ServerBootstrap().group(group).channel(LocalServerChannel.class)
                .childHandler(new ChannelInitializer<LocalChannel>() {
                    @Override
                    protected void initChannel(LocalChannel channel) {
                        channel.pipeline().addLast(new ChannelOutboundHandlerAdapter() {
                            private boolean written;

                            @Override
                            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                                written = true;
                                ctx.write(msg, promise);
                            }

                            @Override
                            public void flush(ChannelHandlerContext ctx) {
                                if (written) {
                                    flushes.incrementAndGet();
                                    written = false;
                                }
                                ctx.flush();
                            }
                        });
                        channel.pipeline().addLast(new WebSocket13FrameEncoder(false));
                        accepted.complete(channel);
                    }
                })
                .bind(address).sync().channel();
        client = new Bootstrap().group(group).channel(LocalChannel.class)
                .handler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ByteBuf bytes = (ByteBuf) msg;
                        received.add(bytes.toString(StandardCharsets.ISO_8859_1));
                        bytes.release();
                    }
                })
                .connect(address).sync().channel();
        return accepted.get(5, TimeUnit.SECONDS);
    }

    @Test
    void aBroadcastQueuedOnTheLoopAfterAnotherIsWrittenGoesOutInTheSameFlush() throws Exception {
        Channel channel = connect();
        // No heartbeat during the test: its pings are flushes of their own.
        try (SessionFixture fixture = new SessionFixture(4L << 20, 60_000)) {
            EngineSession session = channel.eventLoop().submit(() -> fixture.webSocket(channel, channel.eventLoop()))
                    .get(5, TimeUnit.SECONDS);
            await().atMost(5, TimeUnit.SECONDS).until(() -> String.join("", received).contains("0{"));
            received.clear();
            flushes.set(0);

            channel.eventLoop().submit(() -> {
                fanOut.send(List.of(session), List.of(EnginePacket.message("first")));
                // The next broadcast reaches the loop while it still runs this task: a flush queued as a task of
                // its own would run before it.
                List<EnginePacket> second = List.of(EnginePacket.message("second"));
                channel.eventLoop().execute(() -> fanOut.send(List.of(session), second));
            }).get(5, TimeUnit.SECONDS);

            await().atMost(5, TimeUnit.SECONDS).until(() -> String.join("", received).contains("4second"));
            assertThat(String.join("", received)).isEqualTo("\u0081\u00064first\u0081\u00074second");
            assertThat(flushes).as("both broadcasts sent by one flush").hasValue(1);
        }
    }
}
