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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The fan-out on a real event loop: when its flushes run against the broadcasts that reach the loop. */
class SessionFanOutOnLoopTest {

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, LocalIoHandler.newFactory());
    private final AtomicInteger flushes = new AtomicInteger();
    private final AtomicInteger flushCalls = new AtomicInteger();
    private final List<Channel> opened = new ArrayList<>();
    // No heartbeat during the tests: its pings are flushes of their own.
    private final SessionFixture fixture = new SessionFixture(4L << 20, 60_000);

    @AfterEach
    void stop() throws Exception {
        fixture.close();
        for (Channel channel : opened) {
            channel.close().sync();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    /** A session over a local connection (all on the one loop), and what its client end receives. */
    private record Connection(EngineSession session, List<String> received) {
        String text() {
            return String.join("", received);
        }
    }

    /**
     * A WebSocket session on the server end of a local connection (a frame encoder, in front of it a count of the
     * flush calls and of those that send), once its OPEN packet has arrived.
     */
    private Connection connect() throws Exception {
        CompletableFuture<Channel> accepted = new CompletableFuture<>();
        LocalAddress address = new LocalAddress("fan-out-" + System.nanoTime());
        Channel server = new ServerBootstrap().group(group).channel(LocalServerChannel.class)
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
                                flushCalls.incrementAndGet();
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
        opened.add(server);
        List<String> received = new CopyOnWriteArrayList<>();
        Channel client = new Bootstrap().group(group).channel(LocalChannel.class)
                .handler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ByteBuf bytes = (ByteBuf) msg;
                        received.add(bytes.toString(StandardCharsets.ISO_8859_1));
                        bytes.release();
                    }
                })
                .connect(address).sync().channel();
        opened.add(client);
        Channel channel = accepted.get(5, TimeUnit.SECONDS);
        EngineSession session = channel.eventLoop().submit(() -> fixture.webSocket(channel, channel.eventLoop()))
                .get(5, TimeUnit.SECONDS);
        await().atMost(5, TimeUnit.SECONDS).until(() -> String.join("", received).contains("0{"));
        received.clear();
        return new Connection(session, received);
    }

    private static List<EnginePacket> message(String text) {
        return List.of(EnginePacket.message(text));
    }

    /**
     * Runs {@code action} on the loop and returns once the loop has finished that iteration, with the tasks it runs
     * after one: a task scheduled a moment later runs in an iteration of its own (tasks submitted right after may
     * share the action's).
     */
    private void onLoop(Runnable action) throws Exception {
        group.next().submit(action).get(5, TimeUnit.SECONDS);
        group.next().schedule(() -> { }, 20, TimeUnit.MILLISECONDS).get(5, TimeUnit.SECONDS);
    }

    private static void send(SessionFanOut fanOut, List<EngineSession> sessions, List<EnginePacket> packets) {
        fanOut.send(SessionFanOut.group(sessions), packets, sent -> { });
    }

    @Test
    void aBroadcastQueuedOnTheLoopAfterAnotherIsWrittenGoesOutInTheSameFlush() throws Exception {
        SessionFanOut fanOut = new SessionFanOut(Duration.ZERO);
        Connection connection = connect();
        flushes.set(0);
        flushCalls.set(0);

        onLoop(() -> {
            send(fanOut, List.of(connection.session()), message("first"));
            // The next broadcast reaches the loop while it still runs this task: a flush queued as a task of
            // its own would run before it.
            group.next().execute(() -> send(fanOut, List.of(connection.session()), message("second")));
        });

        await().atMost(5, TimeUnit.SECONDS).until(() -> connection.text().contains("4second"));
        assertThat(connection.text()).isEqualTo("\u0081\u00064first\u0081\u00074second");
        assertThat(flushes).as("both broadcasts sent by one flush").hasValue(1);
        assertThat(flushCalls).as("the session flushed once, not once per broadcast").hasValue(1);
    }

    @Test
    void aConnectionFlushedWithinTheWindowWaitsForItsEndAndGetsWhatCameMeanwhileInOneSend() throws Exception {
        SessionFanOut fanOut = new SessionFanOut(Duration.ofSeconds(1));
        Connection connection = connect();
        flushes.set(0);

        onLoop(() -> send(fanOut, List.of(connection.session()), message("first")));
        assertThat(flushes).as("nothing sent within the window before: at once").hasValue(1);
        long firstSent = System.nanoTime();

        onLoop(() -> send(fanOut, List.of(connection.session()), message("second")));
        onLoop(() -> send(fanOut, List.of(connection.session()), message("third")));
        assertThat(flushes).as("the other two wait for the window's end").hasValue(1);

        await().atMost(5, TimeUnit.SECONDS).until(() -> connection.text().contains("4third"));
        assertThat(System.nanoTime() - firstSent).isGreaterThanOrEqualTo(Duration.ofMillis(900).toNanos());
        assertThat(connection.text()).isEqualTo("\u0081\u00064first\u0081\u00074second\u0081\u00064third");
        assertThat(flushes).as("second and third in one send").hasValue(2);
    }

    @Test
    void theWindowIsEachConnectionsOwn() throws Exception {
        SessionFanOut fanOut = new SessionFanOut(Duration.ofSeconds(30));
        Connection busy = connect();
        Connection quiet = connect();
        flushes.set(0);

        onLoop(() -> send(fanOut, List.of(busy.session()), message("one")));
        onLoop(() -> send(fanOut, List.of(busy.session(), quiet.session()), message("two")));

        await().atMost(5, TimeUnit.SECONDS).until(() -> quiet.text().contains("4two"));
        assertThat(busy.text()).as("within its window: held").isEqualTo("\u0081\u00044one");
        assertThat(flushes).hasValue(2);
    }
}
