package io.realtime.gateway.admission;

import com.corundumstudio.socketio.protocol.EngineIOVersion;
import io.netty.channel.embedded.EmbeddedChannel;
import io.realtime.gateway.engineio.EngineOptions;
import io.realtime.gateway.engineio.EngineSession;
import io.realtime.gateway.engineio.SessionRegistry;
import io.realtime.gateway.engineio.SessionTestAccess;
import io.realtime.gateway.stats.TrafficObserver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The policies of admission, in order, against the sessions a registry opens and closes. */
class AdmissionTest {

    private final EmbeddedChannel loop = new EmbeddedChannel();
    private final SessionRegistry registry = new SessionRegistry(EngineOptions.defaults(), new TrafficObserver() { });
    private final InetAddress first = InetAddress.getLoopbackAddress();
    private final InetAddress second = address(10, 0, 0, 2);

    @AfterEach
    void close() {
        loop.finishAndReleaseAll();
    }

    private static InetAddress address(int... bytes) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) bytes[0], (byte) bytes[1], (byte) bytes[2], (byte) bytes[3]});
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private Admission admission(AdmissionOptions options) {
        Admission admission = new Admission(options);
        registry.addListener(admission);
        return admission;
    }

    private EngineSession open(InetAddress from) {
        return SessionTestAccess.open(registry, EngineIOVersion.V4, loop.eventLoop(), from);
    }

    @Test
    void theConnectionLimitRefusesWhenFullAndAdmitsAgainWhenASessionCloses() {
        Admission admission = admission(AdmissionOptions.builder().maxConnections(2).build());
        open(first);
        EngineSession closing = open(second);
        assertThat(admission.check(first)).isEqualTo(Refusal.SERVER_FULL);
        assertThat(admission.check(address(10, 0, 0, 9))).as("whoever asks").isEqualTo(Refusal.SERVER_FULL);

        SessionTestAccess.closeNow(closing);
        assertThat(admission.check(first)).isNull();
    }

    @Test
    void thePerAddressLimitCountsEachAddressAndForgetsItWhenItsSessionsClose() {
        Admission admission = admission(AdmissionOptions.builder().maxConnectionsPerAddress(1).build());
        EngineSession only = open(first);
        assertThat(admission.check(first)).isEqualTo(Refusal.TOO_MANY_FROM_ADDRESS);
        assertThat(admission.check(second)).isNull();

        SessionTestAccess.closeNow(only);
        assertThat(admission.check(first)).isNull();
    }

    @Test
    void anIpv6ClientIsCountedByItsSlash64SoANewAddressPerHandshakeDoesNotEscapeTheLimits() throws Exception {
        Admission admission = admission(AdmissionOptions.builder().maxConnectionsPerAddress(1).build());
        EngineSession only = open(InetAddress.getByName("2001:db8:1:2::1"));
        assertThat(admission.check(InetAddress.getByName("2001:db8:1:2:ffff::7"))).isEqualTo(Refusal.TOO_MANY_FROM_ADDRESS);
        assertThat(admission.check(InetAddress.getByName("2001:db8:1:3::1"))).as("another /64").isNull();

        SessionTestAccess.closeNow(only);
        assertThat(admission.check(InetAddress.getByName("2001:db8:1:2:ffff::7"))).isNull();
        assertThat(Admission.limitKey(second)).isEqualTo(second);
    }

    @Test
    void theHandshakeRateOfAnAddressAllowsABurstOfTwiceItsRate() {
        Admission admission = admission(AdmissionOptions.builder().handshakesPerSecondPerAddress(2).build());
        List<Refusal> answers = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            answers.add(admission.check(first));
        }
        assertThat(answers).containsExactly(null, null, null, null, Refusal.TOO_MANY_FROM_ADDRESS);
        assertThat(admission.check(second)).as("another address has its own budget").isNull();
    }

    @Test
    void aDrainingNodeRefusesFirstWhateverElseHolds() {
        Admission admission = admission(AdmissionOptions.builder().maxConnections(1).maxConnectionsPerAddress(1).build());
        open(first);
        assertThat(admission.isAccepting()).isTrue();
        admission.stopAccepting();
        assertThat(admission.isAccepting()).isFalse();
        assertThat(admission.check(first)).isEqualTo(Refusal.DRAINING);
        assertThat(admission.check(second)).isEqualTo(Refusal.DRAINING);
    }

    @Test
    void theConnectionLimitIsAskedBeforeTheAddressOnesAndAnAddressOverItsLimitSpendsNoHandshake() {
        Admission admission = admission(AdmissionOptions.builder().maxConnections(1).maxConnectionsPerAddress(1)
                .handshakesPerSecondPerAddress(1).build());
        Admission perAddress = admission(AdmissionOptions.builder().maxConnectionsPerAddress(1)
                .handshakesPerSecondPerAddress(1).build());
        EngineSession only = open(first);
        assertThat(admission.check(first)).isEqualTo(Refusal.SERVER_FULL);

        for (int i = 0; i < 5; i++) {
            assertThat(perAddress.check(first)).isEqualTo(Refusal.TOO_MANY_FROM_ADDRESS);
        }
        SessionTestAccess.closeNow(only);
        assertThat(perAddress.check(first)).as("the whole burst of 2 is left").isNull();
        assertThat(perAddress.check(first)).isNull();
        assertThat(perAddress.check(first)).isEqualTo(Refusal.TOO_MANY_FROM_ADDRESS);
    }

    @Test
    void optionsDefaultToNoLimitAndRefuseNegativeValues() {
        AdmissionOptions defaults = AdmissionOptions.builder().build();
        assertThat(defaults.maxConnections()).isZero();
        assertThat(defaults.maxConnectionsPerAddress()).isZero();
        assertThat(defaults.handshakesPerSecondPerAddress()).isZero();
        Admission admission = admission(defaults);
        for (int i = 0; i < 100; i++) {
            open(first);
        }
        assertThat(admission.check(first)).isNull();
        assertThatThrownBy(() -> AdmissionOptions.builder().maxConnections(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxConnections");
    }

    @Test
    void refusalsKeepTheirAnswersAndTheReasonsTheMetricsCount() {
        assertThat(Refusal.DRAINING.answer().json()).isEqualTo(
                "{\"code\":\"draining\",\"message\":\"the node is shutting down, try another\"}");
        assertThat(Refusal.SERVER_FULL.answer().status().code()).isEqualTo(503);
        assertThat(Refusal.TOO_MANY_FROM_ADDRESS.answer().status().code()).isEqualTo(429);
        assertThat(List.of(Refusal.values())).extracting(refusal -> refusal.reason().tag())
                .containsExactly("draining", "limit", "address_limit");
    }
}
