package io.realtime.gateway.fuzz;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.realtime.gateway.testing.ProductNode;
import io.realtime.gateway.testing.RawSocketClient;
import io.realtime.gateway.testing.RawWebSocket;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ten thousand malformed inputs over WebSocket and HTTP long-polling (seeded, so a failure replays): random bytes,
 * truncated and invalid JSON, unknown packet types, wrong namespaces, bogus ack ids, attachments that do not match,
 * huge numbers, deep nesting, invalid UTF-8, oversize frames, wrong methods, bogus sids, bad tokens. Meanwhile a
 * well-behaved client receives a steady stream of messages. Afterwards the node serves, that client has received
 * every message in order, the heap after a full GC is back near where it started, and no error was logged more than
 * a few times.
 */
class MalformedInputFuzzTest {

    private static final long SEED = 20261126L;
    private static final int INPUTS = 10_000;
    private static final String SECRET = "fuzz-secret-that-is-at-least-32-bytes-long";

    @Test
    void tenThousandMalformedInputsHarmNobody() throws Exception {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        root.addAppender(logged);
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
        try (ProductNode node = ProductNode.start(Map.of("AUTH_MODE", "jwt", "JWT_SECRET", SECRET, "AUTH_PUBLIC_NAMESPACES", "/"),
                "--pingInterval=25000", "--maxHttpBufferSize=20000", "--eventRate=0", "--dashboardInterval=60000");
             RawWebSocket witness = node.connect("/", null)) {
            long heapBefore = heapAfterGc();
            int port = node.node().socketIoAddress().getPort();
            AtomicInteger ticks = new AtomicInteger();
            // A tick that throws would silently end the schedule: what it threw is kept and shown.
            List<Throwable> tickFailures = new java.util.concurrent.CopyOnWriteArrayList<>();
            ticker.scheduleAtFixedRate(() -> {
                try {
                    node.node().cluster().of("/").emit("tick", ticks.get());
                    ticks.incrementAndGet();
                } catch (Throwable e) {
                    tickFailures.add(e);
                    throw e;
                }
            }, 0, 20, TimeUnit.MILLISECONDS);

            Random random = new Random(SEED);
            List<Supplier<byte[]>> packets = packetGenerators(random);
            int sent = 0;
            for (int i = 0; i < INPUTS; i++) {
                try (RawSocketClient client = RawSocketClient.connect(port)) {
                    if (i % 5 < 3) {
                        fuzzWebSocket(client, random, packets);
                    } else {
                        fuzzHttp(client, port, random, packets);
                    }
                    sent++;
                } catch (IOException expected) {
                    // The node may close a connection before the bad input is even written: that is its right.
                    sent++;
                }
            }
            ticker.shutdown();
            assertThat(ticker.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
            assertThat(sent).isEqualTo(INPUTS);
            assertThat(tickFailures).as("ticks that failed").isEmpty();

            int expected = ticks.get();
            for (int n = 0; n < expected; n++) {
                String message;
                try {
                    message = witness.nextText();
                    while (message.equals("2")) {
                        witness.sendText("3");
                        message = witness.nextText();
                    }
                } catch (AssertionError e) {
                    throw new AssertionError("tick " + n + " of " + expected + " never came (witness closed: "
                            + witness.closed().isDone() + ")", e);
                }
                assertThat(message).isEqualTo("42[\"tick\"," + n + "]");
            }
            witness.sendText("421[\"events\",\"still here\"]");
            assertThat(witness.nextText()).isEqualTo("431[\"still here\"]");

            long heapAfter = heapAfterGc();
            assertThat(heapAfter - heapBefore).as("heap growth after a full GC, bytes").isLessThan(64L << 20);
            Map<String, Long> errors = new java.util.TreeMap<>();
            logged.list.stream().filter(event -> event.getLevel().isGreaterOrEqual(Level.ERROR))
                    .forEach(event -> errors.merge(event.getLoggerName() + ": " + event.getMessage(), 1L, Long::sum));
            assertThat(errors.values()).as("errors logged: %s", errors).allMatch(count -> count <= 3);
        } finally {
            ticker.shutdownNow();
            root.detachAppender(logged);
        }
    }

    private static void fuzzWebSocket(RawSocketClient client, Random random, List<Supplier<byte[]>> packets) throws IOException {
        if (random.nextInt(20) == 0) {
            client.send(bytes(random, 1 + random.nextInt(300)));
            return;
        }
        String query = random.nextInt(15) == 0 ? "EIO=" + random.nextInt(10) + "&transport=websocket" : "EIO=4&transport=websocket";
        if (!client.openWebSocket(query)) {
            return;
        }
        client.readFrame();
        if (random.nextBoolean()) {
            client.sendTextFrame("40".getBytes(StandardCharsets.US_ASCII));
        }
        int burst = 1 + random.nextInt(3);
        for (int i = 0; i < burst; i++) {
            byte[] packet = packets.get(random.nextInt(packets.size())).get();
            switch (random.nextInt(10)) {
                case 0 -> client.sendBinaryFrame(packet);
                case 1 -> client.sendFrame(random.nextInt(16), packet);
                default -> client.sendTextFrame(packet);
            }
        }
    }

    private static void fuzzHttp(RawSocketClient client, int port, Random random, List<Supplier<byte[]>> packets) throws IOException {
        String[] methods = {"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"};
        String[] queries = {"EIO=4&transport=polling", "EIO=3&transport=polling", "EIO=x&transport=polling", "transport=polling",
                "EIO=4&transport=polling&sid=" + new String(bytes(random, 8), StandardCharsets.ISO_8859_1).replaceAll("[^a-z]", "a"),
                "EIO=4&transport=flashsocket", "EIO=4&transport=polling&sid=00000000-0000-0000-0000-000000000000", ""};
        switch (random.nextInt(6)) {
            case 0 -> client.send(bytes(random, 1 + random.nextInt(500)));
            case 1 -> client.httpRequest(methods[random.nextInt(methods.length)], "/socket.io/?" + queries[random.nextInt(queries.length)],
                    random.nextBoolean() ? packets.get(random.nextInt(packets.size())).get() : null);
            default -> {
                // A real session, then a malformed body posted into it.
                java.util.regex.Matcher sid = SID.matcher(client.httpRequest("GET", "/socket.io/?EIO=4&transport=polling", null));
                if (sid.find()) {
                    try (RawSocketClient second = RawSocketClient.connect(port)) {
                        second.httpRequest(random.nextInt(4) == 0 ? "PUT" : "POST", "/socket.io/?EIO=4&transport=polling&sid="
                                + sid.group(1), packets.get(random.nextInt(packets.size())).get());
                    }
                }
            }
        }
    }

    private static final java.util.regex.Pattern SID = java.util.regex.Pattern.compile("\"sid\":\"([^\"]+)\"");

    /** Socket.IO and Engine.IO packets that are wrong in every way the issue lists. */
    private static List<Supplier<byte[]>> packetGenerators(Random random) {
        List<Supplier<byte[]>> generators = new ArrayList<>();
        generators.add(() -> bytes(random, 1 + random.nextInt(200)));
        generators.add(() -> ascii("42[\"events\",{\"a\":" + "[".repeat(random.nextInt(3))));
        generators.add(() -> ascii("4" + random.nextInt(10) + "[\"events\"]"));
        generators.add(() -> ascii(String.valueOf(random.nextInt(10)) + random.nextInt(10)));
        generators.add(() -> ascii("42nsp" + random.nextInt(100) + ",[\"events\"]"));
        generators.add(() -> ascii("40/" + random.nextInt(1000) + ",{\"token\":\"" + random.nextLong() + "\"}"));
        generators.add(() -> ascii("40/chat,{\"token\":\"eyJhbGciOiJIUzI1NiJ9." + random.nextInt() + ".bad\"}"));
        generators.add(() -> ascii("43" + Math.abs(random.nextLong()) + "[1]"));
        generators.add(() -> ascii("43" + "9".repeat(30) + "[1]"));
        generators.add(() -> ascii("45" + random.nextInt(20) + "-[\"events\",{\"_placeholder\":true,\"num\":" + random.nextInt(50) + "}]"));
        generators.add(() -> ascii("42[\"events\",1e" + random.nextInt(999999) + "]"));
        generators.add(() -> ascii("42[\"events\"," + "9".repeat(1 + random.nextInt(5000)) + "]"));
        generators.add(() -> ascii("42[\"events\"," + "[".repeat(100 + random.nextInt(2000)) + "]"));
        generators.add(() -> ascii("42[\"" + "e".repeat(random.nextInt(100)) + "\",\"" + "x".repeat(25_000) + "\"]"));
        generators.add(() -> {
            byte[] invalidUtf8 = ascii("42[\"events\",\"..\"]");
            invalidUtf8[14] = (byte) 0xC3;
            invalidUtf8[15] = (byte) 0x28;
            return invalidUtf8;
        });
        generators.add(() -> ascii("42[\"connect\"]"));
        generators.add(() -> ascii("41/chat,"));
        generators.add(() -> ascii("42/chat,1[\"chatToRoom\",{\"room\":null,\"message\":" + random.nextDouble() + "}]"));
        generators.add(() -> ascii("b" + new String(bytes(random, 20), StandardCharsets.ISO_8859_1)));
        generators.add(() -> ascii("4" + "\u001e".repeat(random.nextInt(5)) + "2probe"));
        return generators;
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] bytes(Random random, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    private static long heapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
