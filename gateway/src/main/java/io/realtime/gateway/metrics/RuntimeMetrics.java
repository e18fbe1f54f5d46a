package io.realtime.gateway.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.netty4.NettyAllocatorMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.internal.PlatformDependent;

import java.util.List;

/** The JVM, the process and Netty's memory: Micrometer's own binders, plus Netty's direct memory reservation. */
public final class RuntimeMetrics implements MeterBinder, AutoCloseable {

    /** Listens to the JVM's GC beans, which hold it (and through it the registry) until it is closed. */
    private final JvmGcMetrics gc = new JvmGcMetrics();

    @Override
    public void bindTo(MeterRegistry registry) {
        List.of(new JvmMemoryMetrics(), gc, new JvmThreadMetrics(), new ClassLoaderMetrics(),
                        new ProcessorMetrics(), new UptimeMetrics(), new FileDescriptorMetrics(),
                        new NettyAllocatorMetrics(channelAllocator()))
                .forEach(binder -> binder.bindTo(registry));
        Gauge.builder(MeterNames.NETTY_DIRECT_MEMORY_USED, PlatformDependent::usedDirectMemory).baseUnit("bytes")
                .description("direct memory Netty has reserved").register(registry);
    }

    @Override
    public void close() {
        gc.close();
    }

    /** The allocator the channels use ({@code channel.alloc()}): Netty 4.2's default is the adaptive one, not the pooled. */
    static ByteBufAllocatorMetricProvider channelAllocator() {
        return ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider provider ? provider : PooledByteBufAllocator.DEFAULT;
    }
}
