package io.gatewayworker.host.worker;

import io.gatewayworker.host.link.StallWatch;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's stall detector, the counterpart of the gateway's: once a second it looks for a gateway
 * link whose queue of commands has messages, is not held by the gateway, can write and writes nothing,
 * and for a client mailbox that has events but no thread to run them. What stays that way for
 * {@code limits.flow.stall-timeout} is logged once (with the worker's flow state) and counted.
 *
 * <p>Threads: ticks on one I/O loop; the {@link StallWatch} is confined to it.
 */
final class WorkerFlowWatch implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WorkerFlowWatch.class);
    static final long TICK_MILLIS = 1000;

    private final GatewayDirectory directory;
    private final Supplier<String> report;
    private final StallWatch<Object> watch;
    private final AtomicLong stalls = new AtomicLong();
    private ScheduledFuture<?> tick;

    WorkerFlowWatch(GatewayDirectory directory, Duration timeout, Supplier<String> report) {
        this.directory = directory;
        this.report = report;
        this.watch = new StallWatch<>(timeout);
    }

    synchronized void start(EventLoop loop) {
        if (tick == null) {
            tick = loop.scheduleAtFixedRate(() -> {
                try {
                    check(System.nanoTime());
                } catch (RuntimeException e) {
                    log.error("Flow watch failed; it runs again at the next tick", e); // keep ticking
                }
            }, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    long stalls() {
        return stalls.get();
    }

    /** One tick. The watch's loop (or a test). */
    void check(long now) {
        for (GatewayLink link : directory.all()) {
            boolean stuck = link.isOpen() && link.out().size() > 0 && !link.out().held() && link.out().writable();
            if (watch.observe(link.out(), stuck, link.out().written(), now)) {
                stalled(link + ": " + link.out().size() + " commands queued and none written for "
                        + watch.stuckMillis(link.out(), now) + " ms although the link takes writes and is not held");
            }
            for (ClientState client : link.clients().values()) {
                if (watch.observe(client, client.stranded(), 0, now)) {
                    stalled("client " + client.id() + ": " + client.queued() + " events wait in its mailbox with no thread"
                            + " to run them for " + watch.stuckMillis(client, now) + " ms");
                }
            }
        }
        watch.endTick();
    }

    private void stalled(String what) {
        stalls.incrementAndGet();
        log.error("Stall: {}. A wake-up was missed; please report this with the log. Flow: {}", what, report.get());
    }

    @Override
    public synchronized void close() {
        if (tick != null) {
            tick.cancel(false);
        }
    }
}
