package io.realtime.gateway.admin;

import io.realtime.gateway.stats.DisconnectReason;
import com.corundumstudio.socketio.Transport;
import io.realtime.gateway.socketio.SocketActivity;
import io.realtime.gateway.socketio.SocketIoConnection;
import io.realtime.gateway.stats.TrafficTotals;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The figures {@code instrument()} keeps per server: Engine.IO connections and disconnections (by reason), packets
 * and bytes in and out, and how many clients poll. Connections are a {@link LongAdder} increment on the reporting
 * event loop; packets and bytes are the differences of the node's running totals (the same the metrics count), so
 * the message path pays nothing for the UI. {@link #closeSecond} turns them into the {@code aggregatedEvents} of one
 * second ({@code {timestamp, type, subType?, count}}, Node's {@code EventBuffer}).
 */
final class AdminTraffic implements SocketActivity {

    private final TrafficTotals totals;
    private final LongAdder connections = new LongAdder();
    private long packetsIn;
    private long bytesIn;
    private long packetsOut;
    private long bytesOut;
    private final Map<String, LongAdder> disconnections = new ConcurrentHashMap<>();
    private final AtomicInteger pollingClients = new AtomicInteger();
    private final List<Map<String, Object>> closedSeconds = new ArrayList<>();

    AdminTraffic(TrafficTotals totals) {
        this.totals = totals;
        packetsIn = totals.packetsIn();
        bytesIn = totals.bytesIn();
        packetsOut = totals.packetsOut();
        bytesOut = totals.bytesOut();
    }

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
    public void closed(SocketIoConnection connection, DisconnectReason reason) {
        disconnections.computeIfAbsent(reason.text(), key -> new LongAdder()).increment();
        if (connection.getCurrentTransport() == Transport.POLLING) {
            pollingClients.decrementAndGet();
        }
    }

    int pollingClients() {
        return Math.max(0, pollingClients.get());
    }

    /** Moves the counts since the last call into the events of the second that starts at {@code secondStart} (ms). */
    synchronized void closeSecond(long secondStart) {
        add(secondStart, "rawConnection", null, connections.sumThenReset());
        disconnections.forEach((reason, count) -> add(secondStart, "rawDisconnection", reason, count.sumThenReset()));
        long nowPacketsIn = totals.packetsIn();
        long nowBytesIn = totals.bytesIn();
        long nowPacketsOut = totals.packetsOut();
        long nowBytesOut = totals.bytesOut();
        add(secondStart, "packetsIn", null, nowPacketsIn - packetsIn);
        add(secondStart, "bytesIn", null, nowBytesIn - bytesIn);
        add(secondStart, "packetsOut", null, nowPacketsOut - packetsOut);
        add(secondStart, "bytesOut", null, nowBytesOut - bytesOut);
        packetsIn = nowPacketsIn;
        bytesIn = nowBytesIn;
        packetsOut = nowPacketsOut;
        bytesOut = nowBytesOut;
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
