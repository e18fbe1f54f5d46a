package io.realtime.gateway.admission;

import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** At most {@code max} sessions from one client address; an address without sessions is forgotten. */
final class AddressConnectionLimit implements AdmissionPolicy {

    private final int max;
    private final Map<InetAddress, AtomicInteger> perAddress = new ConcurrentHashMap<>();

    AddressConnectionLimit(int max) {
        this.max = max;
    }

    int countFrom(InetAddress address) {
        AtomicInteger count = perAddress.get(address);
        return count == null ? 0 : count.get();
    }

    /** Addresses with open sessions. */
    int addresses() {
        return perAddress.size();
    }

    @Override
    public Refusal check(InetAddress address) {
        return countFrom(address) >= max ? Refusal.TOO_MANY_FROM_ADDRESS : null;
    }

    @Override
    public void opened(InetAddress address) {
        perAddress.compute(address, (key, count) -> {
            AtomicInteger counter = count == null ? new AtomicInteger() : count;
            counter.incrementAndGet();
            return counter;
        });
    }

    @Override
    public void closed(InetAddress address) {
        perAddress.computeIfPresent(address, (key, count) -> count.decrementAndGet() == 0 ? null : count);
    }
}
