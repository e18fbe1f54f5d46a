package io.realtime.gateway.admin;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;

import static org.assertj.core.api.Assertions.assertThat;

class FailedLoginsTest {

    private final ManualClock clock = new ManualClock();
    private final FailedLogins logins = new FailedLogins(clock);

    @Test
    void fiveAttemptsAMinuteThenTheAddressWaitsAMinute() {
        for (int i = 0; i < FailedLogins.MAX_ATTEMPTS; i++) {
            assertThat(logins.tryAttempt("10.0.0.1")).as("attempt %d", i + 1).isTrue();
        }
        assertThat(logins.tryAttempt("10.0.0.1")).as("sixth").isFalse();
        assertThat(logins.tryAttempt("10.0.0.2")).as("another address").isTrue();

        clock.now = clock.now.plus(FailedLogins.BLOCK).minusMillis(1);
        assertThat(logins.tryAttempt("10.0.0.1")).as("still blocked").isFalse();
        clock.now = clock.now.plusMillis(1);
        assertThat(logins.tryAttempt("10.0.0.1")).as("block over").isTrue();
    }

    @Test
    void attemptsSpreadOverMoreThanTheWindowAreNotLimited() {
        for (int i = 0; i < 3 * FailedLogins.MAX_ATTEMPTS; i++) {
            assertThat(logins.tryAttempt("10.0.0.1")).as("attempt %d", i + 1).isTrue();
            clock.now = clock.now.plus(FailedLogins.WINDOW.dividedBy(FailedLogins.MAX_ATTEMPTS - 1));
        }
    }

    @Test
    void aSuccessClearsTheAddressesFailures() {
        for (int i = 0; i < FailedLogins.MAX_ATTEMPTS; i++) {
            logins.tryAttempt("10.0.0.1");
        }
        logins.succeeded("10.0.0.1");
        assertThat(logins.tryAttempt("10.0.0.1")).isTrue();
    }

    @Test
    void theAddressesTrackedAreBounded() {
        for (int i = 0; i < FailedLogins.MAX_ADDRESSES + 100; i++) {
            logins.tryAttempt("address-" + i);
        }
        assertThat(logins.trackedAddresses()).isEqualTo(FailedLogins.MAX_ADDRESSES);
    }

    @Test
    void anAttemptWhosePasswordWasNotCheckedIsTakenBack() {
        for (int i = 0; i < 3 * FailedLogins.MAX_ATTEMPTS; i++) {
            assertThat(logins.tryAttempt("10.0.0.1")).as("busy retry %d", i + 1).isTrue();
            logins.notChecked("10.0.0.1");
        }
        for (int i = 0; i < FailedLogins.MAX_ATTEMPTS; i++) {
            assertThat(logins.tryAttempt("10.0.0.1")).as("checked attempt %d", i + 1).isTrue();
        }
        assertThat(logins.tryAttempt("10.0.0.1")).as("one more than allowed").isFalse();
    }

    @Test
    void anIpv6ClientCountsByItsSlash64() {
        String first = FailedLogins.keyOf(new InetSocketAddress("2001:db8:1:2::1", 40000));
        assertThat(FailedLogins.keyOf(new InetSocketAddress("2001:db8:1:2:ffff:ffff:ffff:ffff", 40001))).isEqualTo(first);
        assertThat(FailedLogins.keyOf(new InetSocketAddress("2001:db8:1:3::1", 40000))).isNotEqualTo(first);
        assertThat(FailedLogins.keyOf(new InetSocketAddress("10.0.0.1", 40000))).isEqualTo("10.0.0.1");

        for (int i = 0; i < FailedLogins.MAX_ATTEMPTS; i++) {
            String address = FailedLogins.keyOf(new InetSocketAddress("2001:db8:1:2::" + Integer.toHexString(i + 1), 40000));
            assertThat(logins.tryAttempt(address)).as("attempt %d", i + 1).isTrue();
        }
        String yetAnotherAddress = FailedLogins.keyOf(new InetSocketAddress("2001:db8:1:2:abcd::99", 40000));
        assertThat(logins.tryAttempt(yetAnotherAddress)).as("a new address of the same /64").isFalse();
    }

    @Test
    void noMoreThanTheMaximumFitsInAnyWindowAcrossItsEdge() {
        assertThat(logins.tryAttempt("10.0.0.1")).isTrue();
        clock.now = clock.now.plus(FailedLogins.WINDOW).minusSeconds(1);
        for (int i = 1; i < FailedLogins.MAX_ATTEMPTS; i++) {
            assertThat(logins.tryAttempt("10.0.0.1")).as("attempt %d", i + 1).isTrue();
        }
        clock.now = clock.now.plusSeconds(1);
        // The first attempt is a minute old now; the four of a second ago still count.
        assertThat(logins.tryAttempt("10.0.0.1")).as("fifth within the last minute").isTrue();
        assertThat(logins.tryAttempt("10.0.0.1")).as("sixth within the last minute").isFalse();
    }
}
