package io.gatewayworker.host.worker;

import io.gatewayworker.host.link.StallWatch;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.gatewayworker.host.app.AppRuntime;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's watch, once a second:
 * <ul>
 *   <li>stalls, the counterpart of the gateway's: a gateway link whose queue of commands has messages,
 *       is not held by the gateway, can write and writes nothing; a client mailbox that has events but no
 *       thread to run them. What stays that way for {@code limits.flow.stall-timeout} is logged once
 *       (with the worker's flow state) and counted;
 *   <li>callbacks over budget: an app callback running longer than {@code limits.callback.budget} is
 *       reported once, with its app, client and stack, and counted for its app. It is not stopped (Java
 *       cannot stop a thread safely); it runs on its version's own carriers, so other apps stay served.
 * </ul>
 *
 * <p>Threads: ticks on one I/O loop; the {@link StallWatch} is confined to it.
 */
final class WorkerFlowWatch implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WorkerFlowWatch.class);
    static final long TICK_MILLIS = 1000;

    private final GatewayDirectory directory;
    private final Supplier<String> report;
    private final StallWatch<Object> watch;
    private final long budgetNanos;
    /** Clients whose running callback was reported, with that callback's start. The watch's loop. */
    private final Map<ClientState, Long> overBudget = new IdentityHashMap<>();
    private final AtomicLong stalls = new AtomicLong();
    private ScheduledFuture<?> tick;

    WorkerFlowWatch(GatewayDirectory directory, Duration timeout, Duration callbackBudget, Supplier<String> report) {
        this.directory = directory;
        this.report = report;
        this.watch = new StallWatch<>(timeout);
        this.budgetNanos = callbackBudget.toNanos();
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
            boolean stuck = link.isOpen() && link.out().writableSize() > 0 && !link.out().held() && link.out().writable();
            if (watch.observe(link.out(), stuck, link.out().written(), now)) {
                stalled(link + ": " + link.out().size() + " commands queued and none written for "
                        + watch.stuckMillis(link.out(), now) + " ms although the link takes writes and is not held");
            }
            for (ClientState client : link.clients().values()) {
                if (watch.observe(client, client.stranded(), 0, now)) {
                    stalled("client " + client.id() + ": " + client.queued() + " events wait in its mailbox with no thread"
                            + " to run them for " + watch.stuckMillis(client, now) + " ms");
                }
                checkBudget(client, now);
            }
        }
        watch.endTick();
        overBudget.keySet().removeIf(c -> c.callbackSince() != overBudget.get(c));
    }

    private void checkBudget(ClientState client, long now) {
        long since = client.callbackSince();
        if (since == 0 || now - since < budgetNanos) {
            return;
        }
        Long reported = overBudget.get(client);
        if (reported != null && reported == since) {
            return; // this run was reported already
        }
        overBudget.put(client, since);
        AppRuntime app = client.runsOn();
        Thread thread = client.callbackThread();
        StringBuilder stack = new StringBuilder();
        if (thread != null) {
            for (StackTraceElement frame : thread.getStackTrace()) {
                stack.append("\n\tat ").append(frame);
            }
        }
        if (app != null) {
            app.recordSlowCallback();
        }
        log.warn("App {}: {} for client {} has run for {} ms (limits.callback.budget {} ms); it goes on, on its"
                + " version's own threads. Where it is:{}", app == null ? client.info().getApp() : app, client.callbackName(),
                client.id(), TimeUnit.NANOSECONDS.toMillis(now - since), TimeUnit.NANOSECONDS.toMillis(budgetNanos), stack);
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
