package io.realtime.gateway.server;

import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.Transport;
import io.netty.channel.EventLoopGroup;
import io.realtime.gateway.admission.AdmissionOptions;
import io.realtime.gateway.engineio.EngineOptions;
import io.realtime.gateway.limits.EventLimits;
import io.realtime.gateway.stats.TrafficObserver;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GatewayServerOptionsTest {

    @Test
    void defaultsAreSocketIosOwnWithNoLimitsAndNoTls() {
        GatewayServerOptions options = GatewayServerOptions.defaults();

        assertThat(options.engine()).isEqualTo(EngineOptions.defaults());
        assertThat(options.connectTimeout()).isEqualTo(Duration.ofSeconds(45));
        assertThat(options.maxAttachments()).isEqualTo(10);
        assertThat(options.eventLimits()).isEqualTo(EventLimits.UNLIMITED);
        assertThat(options.admission()).isEqualTo(AdmissionOptions.UNLIMITED);
        assertThat(options.tls()).isEmpty();
        assertThat(options.observer()).isSameAs(TrafficObserver.NONE);
    }

    @Test
    void eventLoopsAreOnePerCoreUnlessConfigured() {
        assertThat(GatewayServer.eventLoops(0)).isEqualTo(io.netty.util.NettyRuntime.availableProcessors());
        assertThat(GatewayServer.eventLoops(3)).isEqualTo(3);
    }

    @Test
    void lentEventLoopsServeTheConnectionsAndStayWithTheirOwnerAfterStop() throws Exception {
        Configuration configuration = new Configuration();
        configuration.setHostname("127.0.0.1");
        configuration.setPort(0);
        configuration.setWorkerThreads(2);
        EventLoopGroup loops = GatewayServer.newEventLoops(configuration);
        try {
            GatewayServer server = new GatewayServer(configuration, GatewayServerOptions.builder().eventLoops(loops).build());
            assertThat(server.options().mutate().build().eventLoops()).contains(loops);
            server.startAsync().syncUninterruptibly();
            try {
                HttpResponse<String> handshake = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                        "http://127.0.0.1:" + server.localAddress().getPort() + "/socket.io/?EIO=4&transport=polling")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(handshake.statusCode()).isEqualTo(200);
                assertThat(handshake.body()).startsWith("0{\"sid\":");
            } finally {
                server.stop();
            }
            assertThat(loops.isShuttingDown()).isFalse();
            assertThat(loops.submit(() -> "still running").get(5, TimeUnit.SECONDS)).isEqualTo("still running");
        } finally {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void mutateKeepsEveryValueButTheOneChanged() {
        GatewayServerOptions options = GatewayServerOptions.builder()
                .connectTimeout(Duration.ofSeconds(3)).maxAttachments(2)
                .eventLimits(new EventLimits(5, 10, 3)).admission(new AdmissionOptions(100, 5, 2)).build();

        GatewayServerOptions changed = options.mutate().maxAttachments(7).build();

        assertThat(changed.maxAttachments()).isEqualTo(7);
        assertThat(changed.connectTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(changed.eventLimits()).isEqualTo(new EventLimits(5, 10, 3));
        assertThat(changed.admission()).isEqualTo(new AdmissionOptions(100, 5, 2));
        assertThat(options.maxAttachments()).isEqualTo(2);
    }

    @Test
    void valuesANodeCannotRunWithAreRefusedWhenBuilt() {
        assertThatThrownBy(() -> GatewayServerOptions.builder().connectTimeout(Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("connectTimeout");
        assertThatThrownBy(() -> GatewayServerOptions.builder().maxAttachments(-1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxAttachments");
        assertThatThrownBy(() -> GatewayServerOptions.builder().engine(null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("engine");
        assertThatThrownBy(() -> new AdmissionOptions(-1, 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxConnections");
    }

    @Test
    void aServerFromNettySocketIosConfigurationAloneTakesItsEngineSettings() {
        Configuration configuration = new Configuration();
        configuration.setPingInterval(1234);
        configuration.setPingTimeout(567);
        configuration.setMaxFramePayloadLength(4096);
        configuration.setTransports(Transport.WEBSOCKET);

        GatewayServer server = new GatewayServer(configuration);

        EngineOptions engine = server.options().engine();
        assertThat(engine.pingInterval()).isEqualTo(Duration.ofMillis(1234));
        assertThat(engine.pingTimeout()).isEqualTo(Duration.ofMillis(567));
        assertThat(engine.maxPayload()).isEqualTo(4096);
        assertThat(engine.transports()).containsExactly(EngineOptions.WEBSOCKET);
        assertThat(server.options().admission()).isEqualTo(AdmissionOptions.UNLIMITED);
    }

    @Test
    void theMainNamespaceIsFoundByEitherOfItsNames() {
        GatewayServer server = new GatewayServer(new Configuration());

        assertThat(server.getNamespace("/")).isNotNull().isSameAs(server.getNamespace(""));
        assertThat(server.addNamespace("/")).isSameAs(server.getNamespace(""));
        assertThat(server.getAllNamespaces()).hasSize(1);
    }
}
