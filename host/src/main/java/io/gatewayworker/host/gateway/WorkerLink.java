package io.gatewayworker.host.gateway;

import io.gatewayworker.host.link.OutboundQueue;
import io.gatewayworker.proto.link.v1.AppInfo;
import io.gatewayworker.proto.link.v1.Envelope;
import io.netty.channel.Channel;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * The gateway's side of a link to one worker: sends client events to it within the credit the worker
 * granted, and knows which apps it serves.
 *
 * <p><b>Credit.</b> Each event costs one credit; the worker returns credit as it finishes events. When
 * the credit runs out, the client that sent the event stops reading ({@code autoRead} off) until credit
 * arrives, so a busy worker slows its clients down rather than piling up their events.
 *
 * <p>Thread-safe: client event loops call {@link #send}; the link's own loop handles credit and
 * app updates.
 */
final class WorkerLink {

    private final Channel channel;
    private final OutboundQueue out;
    private final String name;
    private final AtomicLong credit = new AtomicLong();
    /** Clients woken from a credit pause so far: grows while waiters make progress. */
    private final AtomicLong creditWakeups = new AtomicLong();
    private final ConcurrentLinkedQueue<ClientConnection> creditWaiters = new ConcurrentLinkedQueue<>();
    private final AtomicInteger bound = new AtomicInteger();
    /** Clients paused for their events in flight on this link: read again when the link goes. */
    private final Set<ClientConnection> flowPaused = ConcurrentHashMap.newKeySet();
    private volatile Set<String> servingApps = Set.of();
    private volatile List<AppInfo> apps = List.of();
    private volatile boolean open = true;
    /** Operations of this link's commands handed to client loops and not yet run. */
    private final AtomicLong queuedWork = new AtomicLong();
    private final java.util.concurrent.atomic.AtomicBoolean holding = new java.util.concurrent.atomic.AtomicBoolean();
    private final long queuedHigh;

    /**
     * @param queuedHigh operations of this link's commands queued on client loops past which the worker
     *        is asked to hold its commands (released at half)
     */
    WorkerLink(Channel channel, String name, int queueHighWater, long queuedHigh) {
        this.channel = channel;
        this.name = name;
        this.out = new OutboundQueue(channel, queueHighWater);
        this.queuedHigh = queuedHigh;
    }

    /**
     * Counts work of this link's commands handed to (positive) or done by (negative) client loops; past
     * the bound, asks the worker to hold its commands, and to go on at half. Any thread.
     */
    void queued(long delta) {
        long now = queuedWork.addAndGet(delta);
        if (delta > 0 && now > queuedHigh && holding.compareAndSet(false, true)) {
            out.add(io.gatewayworker.proto.link.v1.Envelope.newBuilder().setFlow(
                    io.gatewayworker.proto.link.v1.FlowControl.newBuilder().setLink(true).setPause(true)).build());
        } else if (delta < 0 && now <= queuedHigh / 2 && holding.get() && holding.compareAndSet(true, false)) {
            out.add(io.gatewayworker.proto.link.v1.Envelope.newBuilder().setFlow(
                    io.gatewayworker.proto.link.v1.FlowControl.newBuilder().setLink(true).setPause(false)).build());
        }
    }

    long queuedWork() {
        return queuedWork.get();
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

    boolean serves(String app) {
        return open && servingApps.contains(app);
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
        return bound.get();
    }

    void bind() {
        bound.incrementAndGet();
    }

    void unbind() {
        bound.decrementAndGet();
    }

    /**
     * Sends one event of {@code from}. Called on {@code from}'s loop. When this spends the last credit,
     * {@code from} pauses reading until credit returns.
     */
    void send(Envelope event, ClientConnection from) {
        out.add(event);
        if (credit.decrementAndGet() <= 0) {
            from.pause(ClientConnection.PAUSE_CREDIT);
            creditWaiters.add(from);
            if (credit.get() > 0 || !open) {
                wakeCreditWaiters();
            }
        }
    }

    /** The worker granted {@code events} more events. Link loop. */
    void credit(int events) {
        if (credit.addAndGet(events) > 0) {
            wakeCreditWaiters();
        }
    }

    long creditLeft() {
        return credit.get();
    }

    /** Clients waiting for credit (approximate). */
    int creditWaiters() {
        return creditWaiters.size();
    }

    /** Clients woken from a credit pause so far. */
    long creditWakeups() {
        return creditWakeups.get();
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

    /** The link is gone: every client paused on it reads again, and rebinds on its next event. Link loop. */
    void closed() {
        open = false;
        out.close();
        wakeCreditWaiters();
        for (ClientConnection client : flowPaused) {
            client.loop().execute(() -> client.linkLost(this));
        }
        flowPaused.clear();
    }

    private void wakeCreditWaiters() {
        ClientConnection c;
        while ((credit.get() > 0 || !open) && (c = creditWaiters.poll()) != null) {
            ClientConnection waiter = c;
            creditWakeups.incrementAndGet();
            waiter.loop().execute(() -> waiter.resume(ClientConnection.PAUSE_CREDIT));
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
