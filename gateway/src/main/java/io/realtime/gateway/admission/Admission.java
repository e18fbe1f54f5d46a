package io.realtime.gateway.admission;

import io.realtime.gateway.engineio.EngineSession;
import io.realtime.gateway.engineio.SessionRegistry;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Who may open a session on this node: the drain, the connection limit, the per-address connection limit and the
 * per-address handshake rate, asked in that order (the first refusal wins). It counts the sessions itself, as a
 * {@link SessionRegistry.Listener}; {@link AdmissionHandler} asks it at the front of the pipeline.
 */
public final class Admission implements SessionRegistry.Listener {

    private final AdmissionOptions options;
    private final DrainPolicy drain = new DrainPolicy();
    private final List<AdmissionPolicy> policies = new ArrayList<>();

    public Admission(AdmissionOptions options) {
        this.options = options;
        policies.add(drain);
        if (options.maxConnections() > 0) {
            policies.add(new ConnectionLimit(options.maxConnections()));
        }
        if (options.maxConnectionsPerAddress() > 0) {
            policies.add(new AddressConnectionLimit(options.maxConnectionsPerAddress()));
        }
        if (options.handshakesPerSecondPerAddress() > 0) {
            policies.add(new HandshakeRateLimit(options.handshakesPerSecondPerAddress()));
        }
    }

    /**
     * The address per-address limits count under: an IPv4 address itself, an IPv6 address's /64, which one
     * subscriber or host usually holds whole (it could otherwise take a new address for every handshake).
     * Public for the Admin UI's failed-login limit, which counts addresses the same way.
     */
    public static InetAddress limitKey(InetAddress address) {
        if (!(address instanceof java.net.Inet6Address)) {
            return address;
        }
        byte[] network = java.util.Arrays.copyOf(address.getAddress(), 16);
        java.util.Arrays.fill(network, 8, 16, (byte) 0);
        try {
            return InetAddress.getByAddress(network);
        } catch (java.net.UnknownHostException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    public AdmissionOptions options() {
        return options;
    }

    /** Why a handshake from this address is refused now, or {@code null} when it may go on to authorization. */
    public Refusal check(InetAddress address) {
        for (int i = 0; i < policies.size(); i++) {
            Refusal refusal = policies.get(i).check(limitKey(address));
            if (refusal != null) {
                return refusal;
            }
        }
        return null;
    }

    /** From now on every handshake is refused (the node drains). */
    public void stopAccepting() {
        drain.stopAccepting();
    }

    public boolean isAccepting() {
        return drain.isAccepting();
    }

    @Override
    public void opened(EngineSession session) {
        for (int i = 0; i < policies.size(); i++) {
            policies.get(i).opened(limitKey(session.remoteAddress()));
        }
    }

    @Override
    public void closed(EngineSession session) {
        for (int i = 0; i < policies.size(); i++) {
            policies.get(i).closed(limitKey(session.remoteAddress()));
        }
    }
}
