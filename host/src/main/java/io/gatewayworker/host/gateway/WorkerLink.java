package io.gatewayworker.host.gateway;

import io.gatewayworker.host.link.OutboundQueue;
import io.gatewayworker.proto.link.v1.AppInfo;
import io.gatewayworker.proto.link.v1.Envelope;
import io.gatewayworker.proto.link.v1.FlowControl;
import io.gatewayworker.proto.link.v1.Released;
import io.netty.channel.Channel;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * The gateway's side of a link to one worker: sends client events to it within the credit the worker
 * granted, and knows which apps it serves.
 *
 * <p><b>Credit.</b> Each event costs one credit of its app ({@link AppCredit}); the worker returns credit as
 * it finishes events. When an app's credit runs out, the client that sent the event stops reading
 * ({@code autoRead} off) until credit arrives, so a busy worker slows its clients down rather than piling
 * up their events, and one app's slow callbacks do not stop another app's clients.
 *
 * <p>Thread-safe: client event loops call {@link #send}; the link's own loop handles credit and
 * app updates.
 */
final class WorkerLink {

    private final Channel channel;
    private final OutboundQueue out;
    private final String name;
    /** Events of each app the worker takes before it handled some: its credit window. */
    private final long window;
    private final ConcurrentHashMap<String, AppCredit> credits = new ConcurrentHashMap<>();
    private volatile int peakWaiting;
    /**
     * Clients bound to this worker, by connection number: also closed ones until the worker confirmed their
     * last events, so that a lost link hands those on too.
     */
    private final ConcurrentHashMap<Integer, ClientConnection> bound = new ConcurrentHashMap<>();
    /** Clients paused for their events in flight on this link: read again when the link goes. */
    private final Set<ClientConnection> flowPaused = ConcurrentHashMap.newKeySet();
    private volatile Set<String> servingApps = Set.of();
    private volatile List<AppInfo> apps = List.of();
    private volatile boolean open = true;
    /** The worker is stopping: it gets no new clients, and its clients move once it finished their events. */
    private volatile boolean draining;
    /** Per app: deliveries of its commands handed to client loops and not yet run, and whether it is held. */
    private static final class AppWork {
        final AtomicLong queued = new AtomicLong();
        volatile boolean holding;
    }

    private final ConcurrentHashMap<String, AppWork> work = new ConcurrentHashMap<>();
    private final long queuedHigh;
    /**
     * Guards the hold decisions together with sending their messages, so that the worker gets them in the
     * order they were decided (a release overtaken by a hold would hold the app forever).
     */
    private final Object holdLock = new Object();
    private volatile boolean holdingForMemory;

    /**
     * @param window each app's credit window (the worker's Hello says it)
     * @param queuedHigh deliveries of one app's commands queued on client loops past which the worker is
     *        asked to hold that app's commands (released at half)
     */
    WorkerLink(Channel channel, String name, long window, int queueHighWater, long queuedHigh) {
        this.window = window;
        this.channel = channel;
        this.name = name;
        this.out = new OutboundQueue(channel, queueHighWater);
        this.queuedHigh = queuedHigh;
    }

    /**
     * Counts deliveries of {@code app}'s commands handed to (positive) or done by (negative) client loops;
     * past the bound, asks the worker to hold that app's commands (the other apps' go on), and to go on
     * at half. Any thread.
     */
    void queued(String app, long delta) {
        AppWork w = work.get(app);
        if (w == null) {
            w = work.computeIfAbsent(app, a -> new AppWork());
        }
        long now = w.queued.addAndGet(delta);
        boolean crossing = delta > 0 ? now > queuedHigh && !w.holding : now <= queuedHigh / 2 && w.holding;
        if (crossing) { // a pre-check without the lock; decided under it
            synchronized (holdLock) {
                // Read the count again after each change: a thread whose delta came meanwhile may have
                // read the old flag and left the decision to this one.
                for (;;) {
                    long current = w.queued.get();
                    if (!w.holding && current > queuedHigh) {
                        w.holding = true;
                    } else if (w.holding && current <= queuedHigh / 2) {
                        w.holding = false;
                    } else {
                        break;
                    }
                    out.add(hold(app, w.holding));
                }
            }
        }
    }

    /** The gateway's heap is at risk (true) or safe again (false): hold every app's commands meanwhile. Any thread. */
    void memoryPressure(boolean pressed) {
        synchronized (holdLock) {
            if (holdingForMemory != pressed) {
                holdingForMemory = pressed;
                out.add(hold("", pressed));
            }
        }
    }

    private static Envelope hold(String app, boolean pause) {
        return Envelope.newBuilder().setFlow(FlowControl.newBuilder().setLink(true).setPause(pause).setApp(app)).build();
    }

    /** Deliveries of {@code app}'s commands queued on client loops. */
    long queuedWork(String app) {
        AppWork w = work.get(app);
        return w == null ? 0 : w.queued.get();
    }

    /** Deliveries of every app's commands queued on client loops. */
    long queuedWork() {
        long n = 0;
        for (AppWork w : work.values()) {
            n += w.queued.get();
        }
        return n;
    }

    /** Whether the worker is asked to hold {@code app}'s commands for its queued work. */
    boolean holding(String app) {
        AppWork w = work.get(app);
        return w != null && w.holding;
    }

    /** Apps whose commands have been queued on this link. */
    java.util.Set<String> workingApps() {
        return work.keySet();
    }

    /** The high-water mark of an app's queued work. */
    long queuedHigh() {
        return queuedHigh;
    }

    /** Whether the worker is held for the gateway's memory now. */
    boolean holdingForMemory() {
        return holdingForMemory;
    }

    Channel channel() {
        return channel;
    }

    OutboundQueue out() {
        return out;
    }

    String name() {
        return name;
    }

    boolean isOpen() {
        return open;
    }

    /** Open and not draining: a link that takes new clients. */
    boolean isLive() {
        return open && !draining;
    }

    boolean draining() {
        return draining;
    }

    boolean serves(String app) {
        return open && !draining && servingApps.contains(app);
    }

    Set<String> servingApps() {
        return servingApps;
    }

    List<AppInfo> apps() {
        return apps;
    }

    void apps(List<AppInfo> apps) {
        this.apps = List.copyOf(apps);
        this.servingApps = apps.stream().filter(AppInfo::getServing).map(AppInfo::getId).collect(Collectors.toUnmodifiableSet());
    }

    /** Clients bound to this worker. */
    int bound() {
        return bound.size();
    }

    /** A bound client by connection number, or null. Any thread. */
    ClientConnection client(int connection) {
        return bound.get(connection);
    }

    void bind(ClientConnection client) {
        bound.put(client.number(), client);
    }

    void unbind(ClientConnection client) {
        bound.remove(client.number(), client);
        if (draining && bound.isEmpty()) {
            channel.close(); // every client moved: the worker may go
        }
    }

    /** Tells the worker to forget a client without onClose (see ClientConnection#reattach). Client's loop. */
    void release(int connection) {
        out.add(Envelope.newBuilder().setReleased(Released.newBuilder().setConnection(connection)).build());
    }

    /**
     * The worker is stopping (it said Draining): it gets no new clients, and each of its clients moves to
     * another worker once this one has finished its events (events that come meanwhile wait at the gateway,
     * in order). When none is left, the link closes and the worker may exit. Link loop.
     */
    void drain() {
        draining = true;
        if (bound.isEmpty()) {
            channel.close();
            return;
        }
        for (ClientConnection client : bound.values()) {
            client.loop().execute(() -> client.drainFrom(this));
        }
    }

    /**
     * Sends one event of {@code from} (its loop), spending a credit of its app. When that was the app's
     * last, {@code from} pauses reading until the worker returns credit for the app.
     */
    void send(Envelope event, ClientConnection from) {
        out.add(event);
        int waiting = out.size();
        if (waiting > peakWaiting) {
            peakWaiting = waiting; // racy maximum: good enough for a figure
        }
        credit(from.app()).spend(from, open);
    }

    /** The most events that waited on this link's queue at once since it opened. */
    int peakWaiting() {
        return peakWaiting;
    }

    /** The worker returned {@code events} credits of {@code app}. Link loop. */
    void credit(String app, int events) {
        credit(app).returned(events, open);
    }

    /** The credit of {@code app} on this link, which starts at the worker's window. */
    AppCredit credit(String app) {
        AppCredit c = credits.get(app);
        return c != null ? c : credits.computeIfAbsent(app, a -> new AppCredit(a, window));
    }

    /** Every app's credit on this link (for the flow watch and reports). */
    java.util.Collection<AppCredit> credits() {
        return credits.values();
    }

    /** A client paused (or resumed) for its events in flight on this link. Client's loop. */
    void flowPaused(ClientConnection client, boolean paused) {
        if (paused) {
            flowPaused.add(client);
        } else {
            flowPaused.remove(client);
        }
    }

    /** Clients paused for their events in flight on this link now (for diagnostics). */
    int flowPausedCount() {
        return flowPaused.size();
    }

    /**
     * The link is gone: each of its clients hands the events the worker had not confirmed to another
     * worker (or waits for one), and reads again. Link loop.
     */
    void closed() {
        open = false;
        out.close();
        credits.values().forEach(c -> c.wake(false));
        for (ClientConnection client : bound.values()) {
            client.loop().execute(() -> client.linkLost(this));
        }
        flowPaused.clear();
    }

    @Override
    public String toString() {
        return name;
    }
}
