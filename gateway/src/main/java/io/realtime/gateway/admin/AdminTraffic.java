package io.realtime.gateway.admin;

import com.corundumstudio.socketio.Transport;
import io.realtime.gateway.socketio.SocketActivity;
import io.realtime.gateway.socketio.SocketIoConnection;
import io.realtime.gateway.stats.TrafficObserver;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The figures {@code instrument()} keeps per server: Engine.IO connections and disconnections (by reason), packets
 * and bytes in and out, and how many clients poll. Counting is a {@link LongAdder} increment on the reporting
 * event loop; {@link #closeSecond} turns the counts into the {@code aggregatedEvents} of one second
 * ({@code {timestamp, type, subType?, count}}, Node's {@code EventBuffer}).
 */
final class AdminTraffic implements TrafficObserver, SocketActivity {

    private final LongAdder connections = new LongAdder();
    private final LongAdder packetsIn = new LongAdder();
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder packetsOut = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();
    private final Map<String, LongAdder> disconnections = new ConcurrentHashMap<>();
    private final AtomicInteger pollingClients = new AtomicInteger();
    private final List<Map<String, Object>> closedSeconds = new ArrayList<>();

    @Override
    public void opened(SocketIoConnection connection) {
        connections.increment();
        if (connection.getCurrentTransport() == Transport.POLLING) {
            pollingClients.incrementAndGet();
        }
    }

    @Override
    public void upgraded(SocketIoConnection connection, String transport) {
        pollingClients.decrementAndGet();
    }

    @Override
    public void closed(SocketIoConnection connection, String reason) {
        disconnections.computeIfAbsent(reason, key -> new LongAdder()).increment();
        if (connection.getCurrentTransport() == Transport.POLLING) {
            pollingClients.decrementAndGet();
        }
    }

    @Override
    public void bytesReceived(long bytes) {
        packetsIn.increment();
        bytesIn.add(bytes);
    }

    @Override
    public void bytesSent(long bytes) {
        packetsOut.increment();
        bytesOut.add(bytes);
    }

    int pollingClients() {
        return Math.max(0, pollingClients.get());
    }

    /** Moves the counts since the last call into the events of the second that starts at {@code secondStart} (ms). */
    synchronized void closeSecond(long secondStart) {
        add(secondStart, "rawConnection", null, connections.sumThenReset());
        disconnections.forEach((reason, count) -> add(secondStart, "rawDisconnection", reason, count.sumThenReset()));
        add(secondStart, "packetsIn", null, packetsIn.sumThenReset());
        add(secondStart, "bytesIn", null, bytesIn.sumThenReset());
        add(secondStart, "packetsOut", null, packetsOut.sumThenReset());
        add(secondStart, "bytesOut", null, bytesOut.sumThenReset());
    }

    /** The events of the seconds closed since the last call ({@code getValuesAndClear}). */
    synchronized List<Map<String, Object>> takeEvents() {
        List<Map<String, Object>> events = new ArrayList<>(closedSeconds);
        closedSeconds.clear();
        return events;
    }

    private void add(long timestamp, String type, String subType, long count) {
        if (count == 0) {
            return;
        }
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("timestamp", timestamp);
        event.put("type", type);
        if (subType != null) {
            event.put("subType", subType);
        }
        event.put("count", count);
        closedSeconds.add(event);
    }
}
