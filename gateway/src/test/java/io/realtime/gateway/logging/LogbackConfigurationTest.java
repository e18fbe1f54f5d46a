package io.realtime.gateway.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The jar's logback.xml, as the README describes it: LOG_LEVEL sets the node's own loggers, the libraries stay at
 * INFO (Lettuce at DEBUG logs every command), Netty and netty-socketio at WARN.
 */
class LogbackConfigurationTest {

    @Test
    void logLevelSetsTheNodesOwnLoggersOnly() throws Exception {
        LoggerContext debug = configured("DEBUG");

        assertThat(debug.getLogger("io.realtime.gateway.GatewayNode").getEffectiveLevel()).isEqualTo(Level.DEBUG);
        assertThat(debug.getLogger("io.realtime.cluster.Cluster").getEffectiveLevel()).isEqualTo(Level.DEBUG);
        assertThat(debug.getLogger("io.lettuce.core.protocol.CommandHandler").getEffectiveLevel()).isEqualTo(Level.INFO);
        assertThat(debug.getLogger("org.example.Anything").getEffectiveLevel()).isEqualTo(Level.INFO);
        assertThat(debug.getLogger("io.netty.channel.DefaultChannelPipeline").getEffectiveLevel()).isEqualTo(Level.WARN);
        assertThat(debug.getLogger("com.corundumstudio.socketio.SocketIOServer").getEffectiveLevel()).isEqualTo(Level.WARN);
        debug.stop();
    }

    @Test
    void withoutLogLevelTheNodesLoggersAreAtInfoAndAnUnknownNameMeansDebug() throws Exception {
        LoggerContext unset = configured(null);

        assertThat(unset.getLogger("io.realtime.gateway.GatewayNode").getEffectiveLevel()).isEqualTo(Level.INFO);
        unset.stop();
        LoggerContext misspelled = configured("LOUD");
        assertThat(misspelled.getLogger("io.realtime.gateway.GatewayNode").getEffectiveLevel())
                .as("a name Logback does not know, as the README says").isEqualTo(Level.DEBUG);
        assertThat(misspelled.getLogger("io.lettuce.core").getEffectiveLevel()).isEqualTo(Level.INFO);
        misspelled.stop();
    }

    /** A context of its own, so the tests' logging is left alone; LOG_LEVEL as a context property (looked up first). */
    private static LoggerContext configured(String logLevel) throws Exception {
        LoggerContext context = new LoggerContext();
        if (logLevel != null) {
            context.putProperty("LOG_LEVEL", logLevel);
        }
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(Path.of("src", "main", "resources", "logback.xml").toFile());
        return context;
    }
}
