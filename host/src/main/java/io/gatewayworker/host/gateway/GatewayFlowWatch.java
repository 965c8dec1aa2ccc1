package io.gatewayworker.host.gateway;

import io.gatewayworker.host.link.StallWatch;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's stall detector. Once a second it looks for work that waits although nothing holds it
 * back, and reports what stays that way for {@code limits.flow.stall-timeout} with one log line (the
 * gateway's flow state) and a count in {@code status}:
 *
 * <ul>
 *   <li>a worker link's queue of events with messages, a writable channel and no messages written;
 *   <li>clients waiting for a link's credit while the link has credit, with no wake-up done;
 *   <li>a worker asked to hold its commands although the work it had queued is done (a lost release);
 *   <li>a client paused for credit while its link has credit, or paused for its events in flight while
 *       fewer than the bound are in flight (the acknowledgement that should have resumed it came).
 * </ul>
 *
 * Slow progress is not a stall: any message written, any wake-up, any event read resets the clock. So
 * the watch fires on missed wake-ups, not on a busy machine.
 *
 * <p>Threads: the link checks run on the first I/O loop, each loop's client checks on that loop (the
 * client fields they read are confined to it); each {@link StallWatch} is confined to its loop.
 */
final class GatewayFlowWatch implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(GatewayFlowWatch.class);
    static final long TICK_MILLIS = 1000;

    private final WorkerLinks links;
    private final ClientTable table;
    private final int clientBound;
    private final Duration timeout;
    private final Supplier<String> report;
    private final AtomicLong stalls = new AtomicLong();
    private final StallWatch<Object> linkWatch;
    private final Map<EventLoop, StallWatch<ClientConnection>> clientWatches = new ConcurrentHashMap<>();
    private final List<ScheduledFuture<?>> ticks = new ArrayList<>();

    /**
     * @param report the gateway's flow state, for the log line
     */
    GatewayFlowWatch(WorkerLinks links, ClientTable table, int clientBound, Duration timeout, Supplier<String> report) {
        this.links = links;
        this.table = table;
        this.clientBound = clientBound;
        this.timeout = timeout;
        this.report = report;
        this.linkWatch = new StallWatch<>(timeout);
    }

    /** Starts ticking on the loops of {@code io}. */
    synchronized void start(EventExecutorGroup io) {
        if (!ticks.isEmpty()) {
            return;
        }
        boolean first = true;
        for (EventExecutor executor : io) {
            EventLoop loop = (EventLoop) executor;
            boolean checksLinks = first;
            first = false;
            ticks.add(loop.scheduleAtFixedRate(() -> {
                try {
                    long now = System.nanoTime();
                    if (checksLinks) {
                        checkLinks(now);
                    }
                    checkClients(loop, now);
                } catch (RuntimeException e) {
                    log.error("Flow watch on {} failed; it runs again at the next tick", loop, e); // keep ticking
                }
            }, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS));
        }
    }

    /** Stalls reported since start. Any thread. */
    long stalls() {
        return stalls.get();
    }

    /** One tick of the link checks. The first I/O loop (or a test). */
    void checkLinks(long now) {
        for (WorkerLink link : links.all()) {
            boolean queueStuck = link.isOpen() && link.out().size() > 0 && !link.out().held() && link.out().writable();
            if (linkWatch.observe(link.out(), queueStuck, link.out().written(), now)) {
                stalled("worker " + link + ": " + link.out().size() + " events queued and none written for "
                        + linkWatch.stuckMillis(link.out(), now) + " ms although the link takes writes");
            }
            for (AppCredit credit : link.credits()) {
                boolean waitersStuck = link.isOpen() && credit.left() > 0 && credit.waiting() > 0;
                if (linkWatch.observe(credit, waitersStuck, credit.wakeups(), now)) {
                    stalled("worker " + link + ": " + credit.waiting() + " clients of app " + credit.app()
                            + " wait for credit although " + credit.left() + " is there");
                }
            }
            for (String app : link.workingApps()) {
                long queued = link.queuedWork(app);
                boolean heldStuck = link.isOpen() && link.holding(app) && queued <= link.queuedHigh() / 2;
                if (linkWatch.observe(new Hold(link, app), heldStuck, queued, now)) {
                    stalled("worker " + link + " is asked to hold app " + app + "'s commands with only " + queued
                            + " deliveries queued (released at " + link.queuedHigh() / 2 + ")");
                }
            }
        }
        linkWatch.endTick();
    }

    /** The watch's key for a link's hold on its worker. */
    private record Hold(WorkerLink link, String app) {
    }

    /** One tick of the client checks of {@code loop}. That loop (or a test). */
    void checkClients(EventLoop loop, long now) {
        StallWatch<ClientConnection> watch = clientWatches.computeIfAbsent(loop, l -> new StallWatch<>(timeout));
        LoopClients clients = table.loops().stream().filter(c -> c.loop() == loop).findFirst().orElse(null);
        if (clients != null) {
            clients.forEachClient(c -> {
                String why = stuckReason(c);
                if (watch.observe(c, why != null, c.messagesIn(), now)) {
                    stalled("client " + c.id() + " " + why + " for " + watch.stuckMillis(c, now) + " ms");
                }
            });
        }
        watch.endTick();
    }

    /** Why a client paused on its loop should be reading by now, or null. Loop. */
    private String stuckReason(ClientConnection c) {
        int pauses = c.pauses();
        if (pauses == 0 || !c.isOpen()) {
            return null;
        }
        WorkerLink link = c.link();
        if ((pauses & ClientConnection.PAUSE_FLOW) != 0 && c.inFlight() < clientBound) {
            return "paused for events in flight with only " + c.inFlight() + " in flight (bound " + clientBound + ")";
        }
        if ((pauses & ClientConnection.PAUSE_CREDIT) != 0 && link != null && link.isOpen()
                && link.credit(c.app()).left() > 0) {
            return "paused for credit although worker " + link + " has " + link.credit(c.app()).left() + " for app " + c.app();
        }
        return null;
    }

    private void stalled(String what) {
        stalls.incrementAndGet();
        log.error("Stall: {}. A wake-up was missed; please report this with the log. Flow: {}", what, report.get());
    }

    @Override
    public synchronized void close() {
        ticks.forEach(t -> t.cancel(false));
        ticks.clear();
    }
}
