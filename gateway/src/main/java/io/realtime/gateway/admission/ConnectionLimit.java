package io.realtime.gateway.admission;

import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * At most {@code max} sessions on this node. Checked before the session is counted, like every policy: handshakes
 * racing on several loops may pass the limit by a few, which protects the node as well and needs no lock.
 */
final class ConnectionLimit implements AdmissionPolicy {

    private final int max;
    private final AtomicInteger open = new AtomicInteger();

    ConnectionLimit(int max) {
        this.max = max;
    }

    @Override
    public Refusal check(InetAddress address) {
        return open.get() >= max ? Refusal.SERVER_FULL : null;
    }

    @Override
    public void opened(InetAddress address) {
        open.incrementAndGet();
    }

    @Override
    public void closed(InetAddress address) {
        open.decrementAndGet();
    }
}
