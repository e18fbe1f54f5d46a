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
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
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
import java.lang.reflect.Proxy;
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

    /** An outbound invoker that only records what it is asked to do. */
    private static ChannelOutboundInvoker recording(List<String> calls) {
        return (ChannelOutboundInvoker) Proxy.newProxyInstance(ChannelOutboundInvoker.class.getClassLoader(),
                new Class<?>[] {ChannelOutboundInvoker.class}, (proxy, method, args) -> {
                    calls.add(method.getName());
                    return null;
                });
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

        List<String> nettyCalls = new ArrayList<>();
        onLoop(channel, () -> {
            assertThat(direct.idle()).isTrue();
            direct.writeAndFlush(shared.retain(), List.of(), recording(nettyCalls));
            return null;
        });
        assertThat(nettyCalls).as("the socket took the whole frame; nothing went through Netty").isEmpty();

        assertThat(read(300)).isEqualTo(bytesArray(shared));
        assertUntouchedThenRelease(List.of(shared));
    }

    /** Each frame's reader index where it was and only the test's own reference left, which is then given back. */
    private static void assertUntouchedThenRelease(List<ByteBuf> frames) {
        for (ByteBuf frame : frames) {
            assertThat(frame.readerIndex()).isZero();
            assertThat(frame.refCnt()).isEqualTo(1);
            frame.release();
        }
    }

    @Test
    void whatTheSocketDoesNotTakeGoesThroughNettyAheadOfLaterWrites() throws Exception {
        Channel channel = connect(null, 4096);
        DirectSocketWrite direct = onLoop(channel, () -> DirectSocketWrite.of(channel));
        ByteBuf big = bytes(2 * 1024 * 1024, 3);
        ByteBuf after = bytes(1000, 11);
        byte[] expected = concat(bytesArray(big), bytesArray(after));

        onLoop(channel, () -> {
            direct.writeAndFlush(big.retain(), List.of(), encoderOf(channel));
            // The client reads nothing yet: the rest waits in Netty, so the connection is no longer idle ...
            assertThat(direct.idle()).isFalse();
            // ... and the next frame falls back to Netty, behind that rest.
            direct.writeAndFlush(after.retain(), List.of(), encoderOf(channel));
            return null;
        });

        assertThat(read(expected.length)).isEqualTo(expected);
        await().atMost(5, TimeUnit.SECONDS).until(() -> onLoop(channel, direct::idle));
        assertUntouchedThenRelease(List.of(big, after));
    }

    @Test
    void severalFramesGoToTheSocketInOneCallInOrder() throws Exception {
        Channel channel = connect(null, 65536);
        DirectSocketWrite direct = onLoop(channel, () -> DirectSocketWrite.of(channel));
        List<ByteBuf> frames = List.of(bytes(300, 7), bytes(20, 9), bytes(4000, 13));
        byte[] expected = concat(concat(bytesArray(frames.get(0)), bytesArray(frames.get(1))), bytesArray(frames.get(2)));

        List<String> nettyCalls = new ArrayList<>();
        onLoop(channel, () -> {
            frames.forEach(ByteBuf::retain);
            direct.writeAndFlush(frames.get(0), frames.subList(1, 3), recording(nettyCalls));
            return null;
        });
        assertThat(nettyCalls).as("the socket took every frame; nothing went through Netty").isEmpty();

        assertThat(read(expected.length)).isEqualTo(expected);
        assertUntouchedThenRelease(frames);
    }

    @Test
    void framesTheSocketDoesNotTakeGoThroughNettyInOrder() throws Exception {
        Channel channel = connect(null, 4096);
        DirectSocketWrite direct = onLoop(channel, () -> DirectSocketWrite.of(channel));
        List<ByteBuf> frames = List.of(bytes(1000, 5), bytes(2 * 1024 * 1024, 3), bytes(1000, 11));
        ByteBuf later = bytes(500, 17);
        byte[] expected = concat(concat(concat(bytesArray(frames.get(0)), bytesArray(frames.get(1))),
                bytesArray(frames.get(2))), bytesArray(later));

        onLoop(channel, () -> {
            frames.forEach(ByteBuf::retain);
            direct.writeAndFlush(frames.get(0), frames.subList(1, 3), encoderOf(channel));
            // The client reads nothing yet: the rest waits in Netty, and what follows goes behind it.
            assertThat(direct.idle()).isFalse();
            direct.writeAndFlush(later.retain(), List.of(), encoderOf(channel));
            return null;
        });

        assertThat(read(expected.length)).isEqualTo(expected);
        await().atMost(5, TimeUnit.SECONDS).until(() -> onLoop(channel, direct::idle));
        assertUntouchedThenRelease(List.of(frames.get(0), frames.get(1), frames.get(2), later));
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
            WebSocketTransport webSocket = openWebSocket(fixture, channel);
            onLoop(channel, () -> {
                assertThat(webSocket.writeShared(broadcast(broadcasts, "first"))).isTrue();
                // The client's Ping, read before the fan-out flushes: its Pong goes behind the held frame.
                channel.pipeline().fireChannelRead(
                        new PingWebSocketFrame(Unpooled.copiedBuffer("p", StandardCharsets.UTF_8)));
                // A packet of this session alone, before the fan-out flushes: behind the held frame.
                webSocket.send(new ArrayDeque<>(List.of(EnginePacket.message("second"))));
                webSocket.flushShared();
                assertThat(webSocket.writeShared(broadcast(broadcasts, "third"))).isTrue();
                webSocket.flushShared();
                // Several broadcasts before one flush: held together and sent in one call.
                assertThat(webSocket.writeShared(broadcast(broadcasts, "fourth"))).isTrue();
                assertThat(webSocket.writeShared(broadcast(broadcasts, "fifth"))).isTrue();
                webSocket.flushShared();
                // Several held, then a packet of the session's own: all of them go ahead of it, in Netty.
                webSocket.writeShared(broadcast(broadcasts, "sixth"));
                webSocket.writeShared(broadcast(broadcasts, "seventh"));
                webSocket.send(new ArrayDeque<>(List.of(EnginePacket.message("eighth"))));
                // Closed before the flush: what was written still goes out ahead of the Close frame.
                webSocket.writeShared(broadcast(broadcasts, "ninth"));
                webSocket.writeShared(broadcast(broadcasts, "tenth"));
                webSocket.close(null);
                return null;
            });

            assertThat(readFrames(12)).containsExactly("text 4first", "pong p", "text 4second", "text 4third",
                    "text 4fourth", "text 4fifth", "text 4sixth", "text 4seventh", "text 4eighth", "text 4ninth",
                    "text 4tenth", "close \u0003\u00e8Bye");
            awaitReferencesGivenBack(broadcasts, channel);
        } finally {
            broadcasts.forEach(WebSocketFrames.Shared::release);
        }
    }

    @Test
    void aSessionsOwnPacketsGoToTheSocketWholeAndInOrderAmongBroadcasts() throws Exception {
        Channel channel = connect(null, 65536);
        List<WebSocketFrames.Shared> broadcasts = new ArrayList<>();
        try (SessionFixture fixture = new SessionFixture()) {
            WebSocketTransport webSocket = openWebSocket(fixture, channel);
            onLoop(channel, () -> {
                // An ack with a binary attachment: two frames in one call on an idle connection.
                webSocket.send(new ArrayDeque<>(List.of(EnginePacket.message("ack"),
                        EnginePacket.binaryMessage(new byte[] {1, 2, 3}))));
                assertThat(channel.unsafe().outboundBuffer().totalPendingWriteBytes()).isZero();
                assertThat(webSocket.writeShared(broadcast(broadcasts, "broadcast"))).isTrue();
                webSocket.flushShared();
                webSocket.send(new ArrayDeque<>(List.of(EnginePacket.message("own"))));
                return null;
            });

            assertThat(readFrames(4)).containsExactly("text 4ack", "binary 010203", "text 4broadcast", "text 4own");
            awaitReferencesGivenBack(broadcasts, channel);
        } finally {
            broadcasts.forEach(WebSocketFrames.Shared::release);
        }
    }

    /** The broadcast's own reference and the test's are all that is left: the connection gave its own back. */
    private static void awaitReferencesGivenBack(List<WebSocketFrames.Shared> broadcasts, Channel channel) {
        for (WebSocketFrames.Shared frames : broadcasts) {
            await().atMost(5, TimeUnit.SECONDS).until(() -> referencesBesidesOurs(frames, channel) == 1);
        }
    }

    /** The next {@code count} frames the client reads, as {@link #readFrame} tells them. */
    private List<String> readFrames(int count) throws Exception {
        DataInputStream in = new DataInputStream(client.getInputStream());
        client.setSoTimeout(5000);
        List<String> received = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            received.add(readFrame(in));
        }
        return received;
    }

    private static int referencesBesidesOurs(WebSocketFrames.Shared frames, Channel channel) {
        ByteBuf frame = frames.retainedShared(0, EngineIOVersion.V4, channel.alloc());
        int others = frame.refCnt() - 1;
        frame.release();
        return others;
    }

    /** A session's WebSocket on the accepted connection, its handshake answered and its frame handler in place. */
    private static WebSocketTransport openWebSocket(SessionFixture fixture, Channel channel) throws Exception {
        EngineSession session = fixture.registry.create(EngineIOVersion.V4, channel.eventLoop(),
                InetAddress.getLoopbackAddress());
        WebSocketTransport webSocket = new WebSocketTransport(session, channel);
        return onLoop(channel, () -> {
            channel.pipeline().addLast(new WebSocketFrameHandler(webSocket, 1_000_000));
            webSocket.opened();
            return webSocket;
        });
    }

    private static WebSocketFrames.Shared broadcast(List<WebSocketFrames.Shared> all, String text) {
        WebSocketFrames.Shared frames = new WebSocketFrames.Shared(List.of(EnginePacket.message(text)));
        all.add(frames);
        return frames;
    }

    @Test
    void aClientsCloseIsEchoedBehindAHeldBroadcastFrame() throws Exception {
        Channel channel = connect(null, 65536);
        List<WebSocketFrames.Shared> broadcasts = new ArrayList<>();
        try (SessionFixture fixture = new SessionFixture()) {
            WebSocketTransport webSocket = openWebSocket(fixture, channel);
            onLoop(channel, () -> {
                assertThat(webSocket.writeShared(broadcast(broadcasts, "last words"))).isTrue();
                channel.pipeline().fireChannelRead(new CloseWebSocketFrame(1000, "bye"));
                return null;
            });

            DataInputStream in = new DataInputStream(client.getInputStream());
            client.setSoTimeout(5000);
            assertThat(readFrame(in)).isEqualTo("text 4last words");
            assertThat(readFrame(in)).isEqualTo("close \u0003\u00e8bye");
            assertThat(in.read()).as("and the connection ends").isEqualTo(-1);
            awaitReferencesGivenBack(broadcasts, channel);
        } finally {
            broadcasts.forEach(WebSocketFrames.Shared::release);
        }
    }

    /** One short unmasked frame, as a server sends it: its kind and its payload (as ISO-8859-1 for a Close). */
    private static String readFrame(DataInputStream in) throws Exception {
        int first = in.readUnsignedByte();
        byte[] payload = new byte[in.readUnsignedByte()];
        in.readFully(payload);
        return switch (first) {
            case 0x81 -> "text " + new String(payload, StandardCharsets.UTF_8);
            case 0x82 -> "binary " + java.util.HexFormat.of().formatHex(payload);
            case 0x8A -> "pong " + new String(payload, StandardCharsets.UTF_8);
            case 0x88 -> "close " + new String(payload, StandardCharsets.ISO_8859_1);
            default -> "opcode " + Integer.toHexString(first);
        };
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
