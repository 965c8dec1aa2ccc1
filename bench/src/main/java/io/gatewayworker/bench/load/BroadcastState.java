package io.gatewayworker.bench.load;

import io.netty.channel.EventLoop;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The sender side of the {@code broadcast} scenario: keeps {@code window} broadcasts in flight, a
 * broadcast being in flight until every receiver connected when it was sent has it. Each receiver's
 * delivery decrements the broadcast's counter; the delivery that brings it to zero records the fan-out
 * completion time and asks the sender for the next broadcast (one task per broadcast on the sender's
 * loop, not one per delivery). A broadcast not complete after the reply timeout is given up: its missing
 * deliveries count as undelivered and the window moves on.
 *
 * <p>Threads: {@link #delivered} runs on any receiver's event loop; {@link #pump} and {@link #check} on
 * the sender's loop, which alone touches {@code sentAt}, {@code nextSeq} and {@code lowest}.
 */
final class BroadcastState {

    /** Slots for broadcasts in flight; a power of two well above the largest window. */
    static final int RING = 1024;

    /** The largest window allowed. */
    static final int MAX_WINDOW = 256;

    private static final int GIVEN_UP = Integer.MIN_VALUE / 2;

    private final LoadContext load;
    private final int window;
    private final AtomicIntegerArray remaining = new AtomicIntegerArray(RING);
    private final AtomicLongArray slotSeq = new AtomicLongArray(RING);
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicBoolean pumpScheduled = new AtomicBoolean();
    private final long[] sentAt = new long[RING];
    private final Runnable pumpTask = this::pump;
    private volatile BroadcastHandler sender;
    private long nextSeq;
    private long lowest;

    BroadcastState(LoadContext load, int window) {
        if (window <= 0 || window > MAX_WINDOW) {
            throw new IllegalArgumentException("window: " + window + " (expected: 1 to " + MAX_WINDOW + ")");
        }
        this.load = load;
        this.window = window;
        for (int i = 0; i < RING; i++) {
            slotSeq.set(i, -1);
        }
    }

    /** Starts sending from {@code sender}'s connection. */
    void start(BroadcastHandler sender) {
        this.sender = sender;
        sender.ctx.channel().eventLoop().execute(pumpTask);
    }

    /** The sender's event loop; null before {@link #start}. */
    EventLoop senderLoop() {
        BroadcastHandler s = sender;
        return s == null ? null : s.ctx.channel().eventLoop();
    }

    /** Broadcasts not yet delivered to everyone. */
    int inFlight() {
        return inFlight.get();
    }

    /** One receiver got broadcast {@code seq}. On the receiver's loop. */
    void delivered(long seq, long sentAtNanos, long now, LoopStats stats, boolean counts) {
        int slot = (int) (seq & (RING - 1));
        if (slotSeq.get(slot) != seq) {
            stats.late++;
            return;
        }
        int left = remaining.decrementAndGet(slot);
        if (left == 0) {
            if (counts) {
                stats.completed++;
                stats.complete.recordValue(Math.max(0, Math.min(now - sentAtNanos, stats.complete.getHighestTrackableValue())));
            }
            inFlight.decrementAndGet();
            schedulePump();
        } else if (left < 0) {
            stats.late++;
        }
    }

    private void schedulePump() {
        BroadcastHandler s = sender;
        if (s != null && !pumpScheduled.get() && pumpScheduled.compareAndSet(false, true)) {
            s.ctx.channel().eventLoop().execute(pumpTask);
        }
    }

    /** Sends broadcasts until the window is full. On the sender's loop. */
    private void pump() {
        pumpScheduled.set(false);
        BroadcastHandler s = sender;
        if (s == null || !s.isOpen()) {
            return;
        }
        boolean sent = false;
        while (load.running() && inFlight.get() < window) {
            long seq = nextSeq++;
            int slot = (int) (seq & (RING - 1));
            long now = Window.now();
            sentAt[slot] = now;
            remaining.set(slot, Math.max(1, load.open()));
            slotSeq.set(slot, seq);
            inFlight.incrementAndGet();
            s.broadcast(now, seq);
            sent = true;
        }
        if (sent) {
            s.flushBroadcasts();
        }
    }

    /**
     * Gives up broadcasts older than the reply timeout (or all of them when {@code all}), counting their
     * missing deliveries as undelivered. On the sender's loop; returns how many broadcasts were given up.
     */
    int check(long now, boolean all) {
        BroadcastHandler s = sender;
        if (s == null) {
            return 0;
        }
        LoopStats stats = s.loopStats();
        int givenUp = 0;
        for (long seq = lowest; seq < nextSeq; seq++) {
            int slot = (int) (seq & (RING - 1));
            if (slotSeq.get(slot) != seq || remaining.get(slot) <= 0) {
                continue;
            }
            if (all || now - sentAt[slot] > load.replyTimeoutNanos()) {
                int missing = remaining.getAndSet(slot, GIVEN_UP);
                if (missing > 0) {
                    stats.timeouts++;
                    stats.undelivered += missing;
                    inFlight.decrementAndGet();
                    givenUp++;
                }
            }
        }
        while (lowest < nextSeq) {
            int slot = (int) (lowest & (RING - 1));
            if (slotSeq.get(slot) == lowest && remaining.get(slot) > 0) {
                break;
            }
            lowest++;
        }
        if (givenUp > 0) {
            pump();
        }
        return givenUp;
    }

    /** Broadcasts sent so far. On the sender's loop. */
    long sent() {
        return nextSeq;
    }
}
