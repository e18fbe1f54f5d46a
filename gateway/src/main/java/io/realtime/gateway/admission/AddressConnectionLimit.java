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

    @Override
    public Refusal check(InetAddress address) {
        AtomicInteger count = perAddress.get(address);
        return count != null && count.get() >= max ? Refusal.TOO_MANY_FROM_ADDRESS : null;
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
