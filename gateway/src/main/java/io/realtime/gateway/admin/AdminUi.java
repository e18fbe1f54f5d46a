package io.realtime.gateway.admin;

import io.realtime.cluster.SocketIds;
import io.realtime.gateway.stats.DisconnectReason;
import io.realtime.gateway.socketio.NamespaceNames;
import io.realtime.gateway.stats.TrafficTotals;
import com.corundumstudio.socketio.SocketIOClient;
import com.corundumstudio.socketio.SocketIONamespace;
import io.realtime.cluster.Cluster;
import io.realtime.cluster.ClusterTimeoutException;
import io.realtime.cluster.SocketDetails;
import io.realtime.gateway.server.GatewayServer;
import io.realtime.gateway.socketio.GatewaySocket;
import io.realtime.gateway.socketio.SocketActivity;
import io.realtime.gateway.socketio.SocketIoConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The Socket.IO Admin UI on a node: {@code @socket.io/admin-ui}'s {@code instrument()} ported. It adds the admin
 * namespace (authenticated, see {@link AdminAuthenticator}), sends each UI the {@code config} and, in development
 * mode, {@code all_sockets}; every node broadcasts its {@code server_stats} every 2 s to the admin sockets of the
 * whole cluster; commands go through the cluster's verbs ({@link AdminCommands}); development mode reports every
 * socket's activity ({@link DevelopmentEvents}); the built UI is served under {@code /admin-ui/} ({@link AdminUiPage}).
 * Nothing of it exists when the UI is off.
 */
public final class AdminUi implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AdminUi.class);
    private static final long STATS_INTERVAL_MS = 2000;
    /** The bcrypt cost the README asks for; a lower one is accepted (tests use 4) with a warning at start. */
    static final int MIN_ADVISED_COST = 10;

    private final ScheduledFuture<?> ticker;
    /** The UI's thread for password hashes: bounded, so a flood of logins is refused instead of queued. */
    private final ThreadPoolExecutor hashing;
    /**
     * The listing of every socket a development-mode UI gets, on its own thread: logins (anyone's, with any password)
     * keep the hashing thread busy and must not hold back the lists of the UIs that did log in.
     */
    private final ThreadPoolExecutor listing;
    private final AdminSessions sessions;

    private AdminUi(ScheduledFuture<?> ticker, ThreadPoolExecutor hashing, ThreadPoolExecutor listing, AdminSessions sessions) {
        this.ticker = ticker;
        this.hashing = hashing;
        this.listing = listing;
        this.sessions = sessions;
    }

    /**
     * Installs the UI on {@code server} before it starts; call after every other namespace is added (the UI sees the
     * namespaces there are then), and before the cluster attaches them.
     *
     * @param redisKey  the cluster's key in Redis ({@code REDIS_KEY}): the sessions' keys start with it
     * @param totals    the node's running traffic totals (the aggregated events are their differences)
     * @param scheduler the node's periodic work, which the once-a-second stats tick joins
     */
    public static AdminUi install(AdminUiSettings settings, GatewayServer server, Cluster cluster, String redisKey,
                                  String nodeId, TrafficTotals totals, ScheduledExecutorService scheduler) {
        if (!settings.enabled()) {
            throw new IllegalArgumentException("the Admin UI is off");
        }
        boolean development = settings.mode() == AdminUiSettings.Mode.DEVELOPMENT;
        if (server.getNamespace(settings.namespace()) != null) {
            // Its clients would need the admin password, and the UI would drive them.
            throw new IllegalStateException("ADMIN_UI_NAMESPACE " + settings.namespace() + " is a namespace of the application");
        }
        SocketIONamespace admin = server.addNamespace(settings.namespace());
        ThreadPoolExecutor hashing = singleThread("admin-ui-hashing");
        ThreadPoolExecutor listing = singleThread("admin-ui-listing");
        AdminSessions sessions = null;
        AdminAuthenticator authenticator = null;
        if (settings.authenticate()) {
            String username = settings.username().orElseThrow();
            String passwordHash = settings.passwordHash().orElseThrow();
            String fingerprint = AdminSessionFingerprint.of(username, passwordHash);
            sessions = cluster.sharedKeys()
                    .<AdminSessions>map(keys -> new RedisAdminSessions(keys, AdminSessions.keyPrefix(redisKey), fingerprint))
                    .orElseGet(() -> new InMemoryAdminSessions(Clock.systemUTC(), fingerprint));
            int cost = AdminUiSettings.bcryptCost(passwordHash);
            if (cost < MIN_ADVISED_COST) {
                log.warn("ADMIN_UI_PASSWORD_HASH has bcrypt cost {}: a leaked hash is cheap to crack below {}; make it with"
                        + " cost {} or more", cost, MIN_ADVISED_COST, MIN_ADVISED_COST);
            }
            authenticator = new AdminAuthenticator(username, passwordHash, sessions, hashing,
                    new FailedLogins(Clock.systemUTC()));
            admin.addAuthTokenListener(authenticator);
        } else {
            log.warn("ADMIN_UI_AUTH=none: anyone who reaches this node can use the Admin UI on {}", settings.namespace());
        }

        AdminTraffic traffic = new AdminTraffic(totals);
        DevelopmentEvents events = development ? new DevelopmentEvents(cluster, settings.namespace()) : null;
        AdminAuthenticator logins = authenticator;
        server.setSocketActivity(new AdminActivity(traffic, events));

        List<String> features = new ArrayList<>(settings.readonly() ? List.of() : AdminCommands.FEATURES);
        features.add("AGGREGATED_EVENTS");
        if (development) {
            features.add("ALL_EVENTS");
        }
        if (!settings.readonly()) {
            new AdminCommands(cluster).register(admin);
        }
        admin.addConnectListener(client -> {
            if (logins != null) {
                logins.takeNewSession(client.getSessionId()).ifPresent(id -> client.sendEvent("session", id));
            }
            client.sendEvent("config", Map.of("supportedFeatures", features));
            if (development) {
                // Every socket of the node, headers and query copied: not on this event loop, whose other connections
                // would wait for the walk (the cluster lists this node's own share on the caller's thread).
                try {
                    listing.execute(() -> allSockets(server, cluster)
                            .thenAccept(sockets -> client.sendEvent("all_sockets", sockets))
                            .exceptionally(failure -> logged("all_sockets not sent", failure)));
                } catch (RejectedExecutionException busy) {
                    log.warn("Admin UI: all_sockets not sent: more UIs connecting at once than the listing keeps up with");
                }
            }
        });

        ServerStats stats = new ServerStats(server, traffic, nodeId, hostname());
        long[] ticks = {0};
        ScheduledFuture<?> ticker = scheduler.scheduleAtFixedRate(() -> {
            try {
                long now = System.currentTimeMillis();
                traffic.closeSecond(now - now % 1000 - 1000);
                if (ticks[0]++ % (STATS_INTERVAL_MS / 1000) == 0) {
                    cluster.of(settings.namespace()).emit("server_stats", stats.next());
                }
            } catch (RuntimeException e) {
                log.warn("Admin UI stats not sent", e);
            }
        }, 1000 - System.currentTimeMillis() % 1000, 1000, TimeUnit.MILLISECONDS);
        server.addHttpHandler(AdminUiPage.NAME, new AdminUiPage(settings.namespace(), server.engineOptions().path()));
        log.info("Admin UI ({} mode{}) on namespace {}, server id {}, page /admin-ui/", settings.mode().name().toLowerCase(),
                settings.readonly() ? ", read-only" : "", settings.namespace(), stats.serverId());
        return new AdminUi(ticker, hashing, listing, sessions);
    }

    /**
     * Every socket of every namespace across the cluster ({@code fetchAllSockets}). When a server does not answer in
     * time, the sockets of those that did are listed; a namespace whose request failed otherwise is left out.
     */
    private static CompletionStage<List<Map<String, Object>>> allSockets(GatewayServer server, Cluster cluster) {
        List<CompletableFuture<List<Map<String, Object>>>> parts = new ArrayList<>();
        for (SocketIONamespace namespace : server.getAllNamespaces()) {
            String nsp = NamespaceNames.wire(namespace.getName());
            parts.add(cluster.of(nsp).fetchSockets().toCompletableFuture()
                    .exceptionally(failure -> {
                        Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
                        log.warn("Admin UI: sockets of {} not all fetched: {}", nsp, cause.toString());
                        return cause instanceof ClusterTimeoutException timeout ? socketsOf(timeout.partialResults()) : List.of();
                    })
                    .thenApply(sockets -> AdminSockets.serializeAll(sockets, nsp))
                    .exceptionally(failure -> {
                        log.warn("Admin UI: sockets of {} not listed", nsp, failure);
                        return List.of();
                    }));
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(done -> {
            List<Map<String, Object>> all = new ArrayList<>();
            parts.forEach(part -> all.addAll(part.join()));
            return all;
        });
    }

    /** For a stage's failure that nobody else would see. */
    private static Void logged(String what, Throwable failure) {
        log.warn("Admin UI: {}", what, failure);
        return null;
    }

    private static List<SocketDetails> socketsOf(List<Object> partialResults) {
        List<SocketDetails> sockets = new ArrayList<>(partialResults.size());
        partialResults.forEach(item -> {
            if (item instanceof SocketDetails socket) {
                sockets.add(socket);
            }
        });
        return sockets;
    }

    /** The host name as the configuration finds it for the default node id. */
    private static String hostname() {
        String fromEnv = System.getenv("HOSTNAME");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv;
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "localhost";
        }
    }

    /** One daemon thread with a queue of 16: work beyond that is refused (RejectedExecutionException), never queued without bound. */
    private static ThreadPoolExecutor singleThread(String name) {
        return new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(16), daemon(name));
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    @Override
    public void close() {
        ticker.cancel(false);
        hashing.shutdownNow();
        listing.shutdownNow();
        if (sessions != null) {
            sessions.close();
        }
    }

    /**
     * {@code instrument()}'s {@code clientId}: the first 12 characters of the connection's Engine.IO id, the same for
     * every namespace socket of that connection (the UI groups them by it).
     */
    static String clientId(SocketIOClient client) {
        String id = client instanceof GatewaySocket socket ? socket.engineSession().id().toString() : SocketIds.wire(client.getSessionId());
        return id.substring(0, Math.min(12, id.length()));
    }

    /** The one {@link SocketActivity} the server takes: counts, the {@code _admin} transport, development events. */
    private record AdminActivity(AdminTraffic traffic, DevelopmentEvents events) implements SocketActivity {

        @Override
        public void opened(SocketIoConnection connection) {
            traffic.opened(connection);
        }

        /** Before the application's connect listeners, as {@code instrument()} prepends its own. */
        @Override
        public void connected(GatewaySocket socket) {
            AdminSockets.tag(socket, clientId(socket), socket.getTransport(), changesOf(socket));
            if (events != null) {
                events.connected(socket);
            }
        }

        /**
         * The application replaced the socket's data: a map gets its {@code _admin} entry again (the UI of every node
         * reads the socket's transport from it), and in development mode the UI hears the new data.
         */
        @Override
        public void dataChanged(GatewaySocket socket) {
            if (!AdminSockets.isTagged(socket)
                    && AdminSockets.tag(socket, clientId(socket), socket.getTransport(), changesOf(socket))) {
                return; // the tagged copy replaced the data, and that replacement came here already
            }
            if (events != null) {
                events.dataChanged(socket);
            }
        }

        private Runnable changesOf(GatewaySocket socket) {
            return events == null ? null : () -> events.dataChanged(socket);
        }

        @Override
        public void disconnected(GatewaySocket socket, DisconnectReason reason) {
            if (events != null) {
                events.disconnected(socket, reason);
            }
        }

        @Override
        public void upgraded(SocketIoConnection connection, String transport) {
            traffic.upgraded(connection, transport);
            connection.sockets().values().forEach(socket -> AdminSockets.setTransport(socket, transport));
            if (events != null) {
                events.upgraded(connection, transport);
            }
        }

        @Override
        public void closed(SocketIoConnection connection, DisconnectReason reason) {
            traffic.closed(connection, reason);
        }

        @Override
        public void roomJoined(GatewaySocket socket, String room) {
            if (events != null) {
                events.roomJoined(socket, room);
            }
        }

        @Override
        public void roomLeft(GatewaySocket socket, String room) {
            if (events != null) {
                events.roomLeft(socket, room);
            }
        }

        @Override
        public void eventReceived(GatewaySocket socket, String event, List<Object> args) {
            if (events != null) {
                events.eventReceived(socket, event, args);
            }
        }

        @Override
        public void eventSent(GatewaySocket socket, String event, List<?> args) {
            if (events != null) {
                events.eventSent(socket, event, args);
            }
        }

        @Override
        public boolean followsEvents() {
            return events != null;
        }
    }
}
