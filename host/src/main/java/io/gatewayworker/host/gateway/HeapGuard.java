package io.gatewayworker.host.gateway;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryNotificationInfo;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.List;
import java.util.function.Consumer;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices when the heap is at risk: after a garbage collection, the live data of a heap pool (the old
 * generation) above {@code high} of its maximum. The JVM tells it (a collection-usage threshold); it
 * then reports "pressed" until a later collection leaves the pools below {@code low}
 * ({@link #poll()}, called once a second). What survives a collection is what the server really holds,
 * so this neither fires on garbage nor misses a backlog.
 *
 * <p>The gateway, when pressed, holds every worker's commands and drops the clients with the most output
 * waiting; so a flood of messages for clients that read slowly ends in dropped clients and a slower app,
 * not in an {@link OutOfMemoryError}.
 *
 * <p>Thread-safe: the JVM's notification thread sets it, the flow watch's tick polls it.
 */
final class HeapGuard implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HeapGuard.class);

    private final double high;
    private final double low;
    private final Consumer<Boolean> onChange;
    private final List<MemoryPoolMXBean> pools;
    private final NotificationListener listener = this::notified;
    private volatile boolean pressed;
    private boolean started;

    /**
     * @param high fraction of a pool's maximum that, still used after a collection, presses the guard
     * @param low fraction below which (after a collection) it is released
     * @param onChange called with true when pressed, false when released (on the notifying thread)
     */
    HeapGuard(double high, double low, Consumer<Boolean> onChange) {
        if (!(0 < low && low < high && high < 1)) {
            throw new IllegalArgumentException("high " + high + ", low " + low + " (expected: 0 < low < high < 1)");
        }
        this.high = high;
        this.low = low;
        this.onChange = onChange;
        this.pools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP && p.isCollectionUsageThresholdSupported()
                        && p.getUsage().getMax() > 0 && !young(p.getName()))
                .toList();
    }

    /**
     * Whether a pool holds only young objects (G1/Serial/Parallel eden and survivor spaces, ZGC's young
     * generation): a survivor space is full after a collection by design, and says nothing of what the
     * server holds. The old generation does.
     */
    static boolean young(String pool) {
        return pool.contains("Eden") || pool.contains("Survivor") || pool.contains("Young");
    }

    synchronized void start() {
        if (started) {
            return;
        }
        started = true;
        for (MemoryPoolMXBean pool : pools) {
            pool.setCollectionUsageThreshold((long) (pool.getUsage().getMax() * high));
        }
        ((NotificationEmitter) ManagementFactory.getMemoryMXBean()).addNotificationListener(listener, null, null);
    }

    /** Whether the heap is at risk now. */
    boolean pressed() {
        return pressed;
    }

    /** Releases the guard once the pools are below {@code low} after a collection. Any thread. */
    void poll() {
        if (pressed && belowLow()) {
            synchronized (this) {
                if (!pressed) {
                    return;
                }
                pressed = false;
            }
            log.info("Memory: the heap is below {}% after collections again; workers' commands flow again", percent(low));
            onChange.accept(false);
        }
    }

    private void notified(Notification notification, Object handback) {
        if (!MemoryNotificationInfo.MEMORY_COLLECTION_THRESHOLD_EXCEEDED.equals(notification.getType())) {
            return;
        }
        synchronized (this) {
            if (pressed) {
                return;
            }
            pressed = true;
        }
        log.warn("Memory: {}; holding the workers' commands and dropping the clients with the most output waiting"
                + " until it is below {}%", usage(), percent(low));
        onChange.accept(true);
    }

    private boolean belowLow() {
        for (MemoryPoolMXBean pool : pools) {
            java.lang.management.MemoryUsage after = pool.getCollectionUsage();
            long max = pool.getUsage().getMax();
            if (after != null && max > 0 && after.getUsed() > max * low) {
                return false;
            }
        }
        return true;
    }

    private String usage() {
        StringBuilder sb = new StringBuilder();
        for (MemoryPoolMXBean pool : pools) {
            java.lang.management.MemoryUsage after = pool.getCollectionUsage();
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(pool.getName()).append(' ').append(after == null ? 0 : after.getUsed() >> 20).append(" MiB of ")
                    .append(pool.getUsage().getMax() >> 20).append(" MiB after a collection (over ").append(percent(high))
                    .append("%)");
        }
        return sb.toString();
    }

    private static long percent(double fraction) {
        return Math.round(fraction * 100);
    }

    @Override
    public synchronized void close() {
        if (!started) {
            return;
        }
        started = false;
        try {
            ((NotificationEmitter) ManagementFactory.getMemoryMXBean()).removeNotificationListener(listener);
        } catch (ListenerNotFoundException e) {
            // not registered
        }
    }
}
