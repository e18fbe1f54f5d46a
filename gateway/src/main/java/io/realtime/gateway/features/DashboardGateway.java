package io.realtime.gateway.features;

import com.corundumstudio.socketio.SocketIOClient;
import com.corundumstudio.socketio.annotation.OnConnect;
import io.realtime.gateway.api.Emits;
import io.realtime.gateway.api.Gateway;
import io.realtime.gateway.broadcast.BroadcastTarget;
import io.realtime.gateway.broadcast.Broadcaster;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Live figures: every client of {@code /dashboard} gets them at connection, then every interval. */
@Gateway(namespace = "/dashboard")
@Emits({Events.DASHBOARD_UPDATE})
public final class DashboardGateway implements AutoCloseable {

    private final Broadcaster broadcaster;
    private final DashboardFigures figures;
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "dashboard");
        thread.setDaemon(true);
        return thread;
    });

    public DashboardGateway(Broadcaster broadcaster, DashboardFigures figures) {
        this.broadcaster = broadcaster;
        this.figures = figures;
    }

    /** Starts sending figures every {@code interval}. */
    public DashboardGateway start(Duration interval) {
        ticker.scheduleAtFixedRate(this::publish, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    @OnConnect
    public void onConnect(SocketIOClient client) {
        client.sendEvent(Events.DASHBOARD_UPDATE, figures.current());
    }

    void publish() {
        broadcaster.emit(BroadcastTarget.everyone("/dashboard"), Events.DASHBOARD_UPDATE, figures.sample());
    }

    @Override
    public void close() {
        ticker.shutdownNow();
    }
}
