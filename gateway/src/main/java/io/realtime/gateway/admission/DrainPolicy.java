package io.realtime.gateway.admission;

import java.net.InetAddress;

/** Refuses every handshake once the node drains, so that clients reconnect to another node. */
final class DrainPolicy implements AdmissionPolicy {

    private volatile boolean accepting = true;

    void stopAccepting() {
        accepting = false;
    }

    boolean isAccepting() {
        return accepting;
    }

    @Override
    public Refusal check(InetAddress address) {
        return accepting ? null : Refusal.DRAINING;
    }
}
