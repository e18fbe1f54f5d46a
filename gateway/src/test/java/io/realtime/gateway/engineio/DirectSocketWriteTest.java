package io.realtime.gateway.engineio;

import com.corundumstudio.socketio.protocol.EngineIOVersion;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelOutboundInvoker;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Frames written straight to a real epoll socket, and what falls back to Netty, in order. */
class DirectSocketWriteTest {

    private EventLoopGroup group;
    private Channel server;
    private final CompletableFuture<Channel> accepted = new CompletableFuture<>();
    private Socket client;

    @BeforeEach
    void start() {
        assumeTrue(Epoll.isAvailable(), "epoll is Linux only");
        group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    }

    @AfterEach
    void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close().sync();
        }
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /** A server whose connections have {@code inFront} (or nothing) ahead of the frame encoder, and one client. */
    private Channel connect(ChannelOutboundHandlerAdapter inFront, int sendBuffer) throws Exception {
        server = new ServerBootstrap().group(group).channel(EpollServerSocketChannel.class)
                .childOption(ChannelOption.SO_SNDBUF, sendBuffer)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        if (inFront != null) {
                            channel.pipeline().addLast(inFront);
                        }
                        channel.pipeline().addLast(new WebSocket13FrameEncoder(false));
                        channel.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelActive(ChannelHandlerContext ctx) {
                                accepted.complete(ctx.channel());
                            }
                        });
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        client = new Socket();
        client.setReceiveBufferSize(4096);
        client.connect(server.localAddress());
        return accepted.get(5, TimeUnit.SECONDS);
    }

    private static <T> T onLoop(Channel channel, Callable<T> task) throws Exception {
        return channel.eventLoop().submit(task).get(5, TimeUnit.SECONDS);
    }

    private static ChannelOutboundInvoker encoderOf(Channel channel) {
        return channel.pipeline().context(WebSocketFrameEncoder.class);
    }

    private static ByteBuf bytes(int length, int seed) {
        byte[] data = new byte[length];
        for (int i = 0; i < length; i++) {
            data[i] = (byte) (seed + i * 31);
        }
        return Unpooled.directBuffer(length).writeBytes(data);
    }

    private byte[] read(int length) throws Exception {
        client.setSoTimeout(5000);
        InputStream in = client.getInputStream();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] chunk = new byte[8192];
        while (out.size() < length) {
            int n = in.read(chunk, 0, Math.min(chunk.length, length - out.size()));
            if (n < 0) {
                break;
            }
            out.write(chunk, 0, n);
        }
        return out.toByteArray();
    }

    @Test
    void aSharedFrameGoesStraightToTheSocketAndKeepsItsIndices() throws Exception {
        Channel channel = connect(null, 65536);
        ByteBuf shared = bytes(300, 7);
        DirectSocketWrite direct = onLoop(channel, () -> DirectSocketWrite.of(channel));
        assertThat(direct).isNotNull();

        onLoop(channel, () -> {
            assertThat(direct.idle()).isTrue();
            direct.writeAndFlush(shared.retain(), encoderOf(channel));
            // Nothing was left for Netty: the socket took the whole frame.
            assertThat(channel.unsafe().outboundBuffer().totalPendingWriteBytes()).isZero();
            return null;
        });

        assertThat(read(300)).isEqualTo(bytesArray(shared));
        assertThat(shared.readerIndex()).isZero();
        assertThat(shared.refCnt()).isEqualTo(1);
        shared.release();
    }

    @Test
    void whatTheSocketDoesNotTakeGoesThroughNettyAheadOfLaterWrites() throws Exception {
        Channel channel = connect(null, 4096);
        DirectSocketWrite direct = onLoop(channel, () -> DirectSocketWrite.of(channel));
        ByteBuf big = bytes(2 * 1024 * 1024, 3);
        ByteBuf after = bytes(1000, 11);
        byte[] expected = concat(bytesArray(big), bytesArray(after));

        onLoop(channel, () -> {
            direct.writeAndFlush(big.retain(), encoderOf(channel));
            // The client reads nothing yet: the rest waits in Netty, so the connection is no longer idle ...
            assertThat(direct.idle()).isFalse();
            // ... and the next frame falls back to Netty, behind that rest.
            direct.writeAndFlush(after.retain(), encoderOf(channel));
            return null;
        });

        assertThat(read(expected.length)).isEqualTo(expected);
        await().atMost(5, TimeUnit.SECONDS).until(() -> onLoop(channel, direct::idle));
        assertThat(big.refCnt()).isEqualTo(1);
        assertThat(after.refCnt()).isEqualTo(1);
        assertThat(big.readerIndex()).isZero();
        big.release();
        after.release();
    }

    @Test
    void aConnectionWithAnOutboundHandlerInFrontOfTheEncoderKeepsNettysPath() throws Exception {
        Channel channel = connect(new ChannelOutboundHandlerAdapter(), 65536);
        assertThat(onLoop(channel, () -> DirectSocketWrite.of(channel))).isNull();
    }

    @Test
    void onlyEpollConnectionsWriteDirectly() {
        EmbeddedChannel embedded = new EmbeddedChannel(new WebSocket13FrameEncoder(false));
        assertThat(DirectSocketWrite.of(embedded)).isNull();
        embedded.finishAndReleaseAll();
    }

    @Test
    void aHeldBroadcastFrameStaysAheadOfWhatItsConnectionWritesNext() throws Exception {
        Channel channel = connect(null, 65536);
        List<WebSocketFrames.Shared> broadcasts = new ArrayList<>();
        try (SessionFixture fixture = new SessionFixture()) {
            EngineSession session = fixture.registry.create(EngineIOVersion.V4, channel.eventLoop(),
                    InetAddress.getLoopbackAddress());
            WebSocketTransport webSocket = new WebSocketTransport(session, channel);
            onLoop(channel, () -> {
                webSocket.opened();
                assertThat(webSocket.writeShared(broadcast(broadcasts, "first"))).isTrue();
                // A packet of this session alone, before the fan-out flushes: behind the held frame.
                webSocket.send(new ArrayDeque<>(List.of(EnginePacket.message("second"))));
                webSocket.flushShared();
                assertThat(webSocket.writeShared(broadcast(broadcasts, "third"))).isTrue();
                webSocket.flushShared();
                // Several broadcasts before one flush: the held one goes first, in Netty, with the rest.
                webSocket.writeShared(broadcast(broadcasts, "fourth"));
                webSocket.writeShared(broadcast(broadcasts, "fifth"));
                webSocket.flushShared();
                // Closed before the flush: what was written still goes out ahead of the Close frame.
                webSocket.writeShared(broadcast(broadcasts, "sixth"));
                webSocket.close(null);
                return null;
            });

            DataInputStream in = new DataInputStream(client.getInputStream());
            client.setSoTimeout(5000);
            List<String> texts = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                texts.add(readTextFrame(in));
            }
            assertThat(texts).containsExactly("4first", "4second", "4third", "4fourth", "4fifth", "4sixth");
            assertThat(in.readUnsignedByte()).as("then the Close frame").isEqualTo(0x88);
            for (WebSocketFrames.Shared frames : broadcasts) {
                // The broadcast's own reference and this one: the connection gave its own back.
                await().atMost(5, TimeUnit.SECONDS).until(() -> referencesBesidesOurs(frames, channel) == 1);
            }
        } finally {
            broadcasts.forEach(WebSocketFrames.Shared::release);
        }
    }

    private static int referencesBesidesOurs(WebSocketFrames.Shared frames, Channel channel) {
        ByteBuf frame = frames.retainedShared(0, EngineIOVersion.V4, channel.alloc());
        int others = frame.refCnt() - 1;
        frame.release();
        return others;
    }

    private static WebSocketFrames.Shared broadcast(List<WebSocketFrames.Shared> all, String text) {
        WebSocketFrames.Shared frames = new WebSocketFrames.Shared(List.of(EnginePacket.message(text)));
        all.add(frames);
        return frames;
    }

    /** One short unmasked text frame, as a server sends it. */
    private static String readTextFrame(DataInputStream in) throws Exception {
        assertThat(in.readUnsignedByte()).isEqualTo(0x81);
        byte[] payload = new byte[in.readUnsignedByte()];
        in.readFully(payload);
        return new String(payload, StandardCharsets.UTF_8);
    }

    private static byte[] bytesArray(ByteBuf buf) {
        byte[] data = new byte[buf.readableBytes()];
        buf.getBytes(buf.readerIndex(), data);
        return data;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }
}
