package io.gatewayworker.host.link;

import io.netty.channel.Channel;
import io.netty.util.ReferenceCountUtil;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Hands messages to a link channel from any thread, in batches: the first message of a batch schedules
 * one task on the channel's event loop, which writes what is queued by then and flushes once. One
 * cross-thread hand-off is paid per batch, not per message.
 *
 * <p><b>Lanes.</b> Messages go into lanes ({@link #add(Object, Object)}; {@link #add(Object)} uses the
 * default one). Messages of one lane are written in the order they were added; the lanes take turns of
 * at most {@value #TURN} messages, so that a lane with a long backlog (one app's flood of broadcasts)
 * does not make the others (another app's answers) wait behind all of it.
 *
 * <p><b>Bounds.</b> When a lane has more than {@code highWater} messages (the link is slow, or the peer
 * applies backpressure), threads that may block (not event loops) wait in {@link #awaitCapacity} until
 * fewer than half of that remain in it. Writing pauses while the channel is not writable, and resumes
 * when its handler calls {@link #resume()}.
 *
 * <p>The peer may ask to {@link #hold(boolean) hold} the queue, or {@link #hold(Object, boolean) one lane},
 * while it catches up. Messages added
 * with {@link #addControl} (credit, acknowledgements, barrier answers) are never held and go out
 * before the lanes' messages: holding them would stall the peer that asked for the hold, which may be
 * waiting for exactly those. A run writes at most {@value #MAX_PER_RUN} messages and then yields the
 * loop: a hold that the peer sends meanwhile takes effect within a run.
 *
 * <p><b>Progress.</b> {@link #written()} counts the messages handed to the channel. A queue that has
 * messages, is not held and whose count does not move has missed a wake-up: {@code GatewayFlowWatch}
 * and {@code WorkerFlowWatch} report that.
 *
 * <p>Thread-safe. {@link #run()} runs on the channel's event loop.
 */
public final class OutboundQueue implements Runnable {

    /** Messages written per task before the task yields the loop to other work. */
    static final int MAX_PER_RUN = 256;
    /** Messages one lane writes before the next lane's turn. */
    static final int TURN = 64;

    /** One lane: its messages in order, whether it waits in {@code ready} for a turn, whether it is held. */
    private static final class Lane {
        final Queue<Object> messages = new ConcurrentLinkedQueue<>();
        final AtomicInteger size = new AtomicInteger();
        final AtomicBoolean waiting = new AtomicBoolean();
        volatile boolean held;
    }

    private static final Object DEFAULT_LANE = new Object();

    private final Channel channel;
    private final int highWater;
    private final Queue<Object> control = new ConcurrentLinkedQueue<>();
    private final ConcurrentHashMap<Object, Lane> lanes = new ConcurrentHashMap<>();
    /** Lanes with messages, in the order of their turns. */
    private final Queue<Lane> ready = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
    /** Messages handed to the channel so far; written by the channel's loop only. */
    private volatile long written;
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition drained = lock.newCondition();
    private final AtomicInteger waiters = new AtomicInteger();
    private volatile boolean closed;
    /** The peer asked to hold messages for now (they keep queuing; senders block past the bound). */
    private volatile boolean held;

    /** @param highWater messages of one lane past which {@link #awaitCapacity} makes its callers wait */
    public OutboundQueue(Channel channel, int highWater) {
        if (highWater <= 0) {
            throw new IllegalArgumentException("highWater: " + highWater + " (expected: > 0)");
        }
        this.channel = channel;
        this.highWater = highWater;
    }

    /**
     * Queues a message for the channel in the default lane. Returns false and releases the message when
     * the link is closed.
     */
    public boolean add(Object message) {
        return add(message, DEFAULT_LANE);
    }

    /**
     * Queues a message in the lane named {@code laneKey} (an app id, say). Returns false and releases the
     * message when the link is closed.
     */
    public boolean add(Object message, Object laneKey) {
        if (closed) {
            ReferenceCountUtil.release(message);
            return false;
        }
        Lane lane = lanes.computeIfAbsent(laneKey, k -> new Lane());
        lane.messages.offer(message);
        lane.size.incrementAndGet();
        size.incrementAndGet();
        if (lane.waiting.compareAndSet(false, true)) {
            ready.offer(lane);
        }
        schedule();
        return true;
    }

    /**
     * Queues a message that is never held and goes out before the lanes' messages (messages added here
     * keep their order among themselves). Returns false and releases the message when the link is closed.
     */
    public boolean addControl(Object message) {
        if (closed) {
            ReferenceCountUtil.release(message);
            return false;
        }
        control.offer(message);
        size.incrementAndGet();
        schedule();
        return true;
    }

    private void schedule() {
        if (!scheduled.get() && scheduled.compareAndSet(false, true)) {
            channel.eventLoop().execute(this);
        }
    }

    /** {@link #awaitCapacity(Object, long)} for the default lane. */
    public boolean awaitCapacity(long timeoutMillis) throws InterruptedException {
        return awaitCapacity(DEFAULT_LANE, timeoutMillis);
    }

    /**
     * Waits while the lane {@code laneKey} is over its high-water mark, until it is at half. Call it before
     * {@link #add(Object, Object)} from threads that may block (virtual threads running app code); never
     * from an event loop.
     *
     * @return false when the wait timed out (the message may still be added)
     */
    public boolean awaitCapacity(Object laneKey, long timeoutMillis) throws InterruptedException {
        Lane lane = lanes.get(laneKey);
        if (lane == null || lane.size.get() <= highWater || closed) {
            return true;
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        waiters.incrementAndGet();
        lock.lock();
        try {
            while (lane.size.get() > highWater / 2 && !closed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                drained.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
            waiters.decrementAndGet();
        }
    }

    /** Messages waiting to be written, in all lanes. */
    public int size() {
        return size.get();
    }

    /** Messages handed to the channel since the queue was made; grows while the queue makes progress. */
    public long written() {
        return written;
    }

    /** Whether a run of the queue is scheduled on the channel's loop (for diagnostics). */
    public boolean scheduled() {
        return scheduled.get();
    }

    /** Whether the queue's channel takes writes now (for diagnostics). */
    public boolean writable() {
        return channel.isWritable();
    }

    /**
     * Continues writing after the channel became writable again. Always as a new task: the writability
     * event may come from inside the channel's own flush (the in-JVM transport fires it there), and
     * writing from there would re-enter the flush.
     */
    public void resume() {
        if ((!ready.isEmpty() || !control.isEmpty()) && scheduled.compareAndSet(false, true)) {
            channel.eventLoop().execute(this);
        }
    }

    /**
     * Holds (true) or releases (false) the queue: while held only control messages are written, lanes
     * fill, and {@link #awaitCapacity} blocks its callers past the high-water mark. Any thread.
     */
    public void hold(boolean hold) {
        held = hold;
        if (!hold && !ready.isEmpty() && scheduled.compareAndSet(false, true)) {
            channel.eventLoop().execute(this);
        }
    }

    public boolean held() {
        return held;
    }

    /**
     * Holds (true) or releases (false) one lane: while held its messages stay queued and the other lanes
     * go on. Any thread.
     */
    public void hold(Object laneKey, boolean hold) {
        Lane lane = lanes.computeIfAbsent(laneKey, k -> new Lane());
        lane.held = hold;
        if (!hold && !lane.messages.isEmpty() && lane.waiting.compareAndSet(false, true)) {
            ready.offer(lane);
            schedule();
        }
    }

    /** Whether the lane {@code laneKey} is held. */
    public boolean held(Object laneKey) {
        Lane lane = lanes.get(laneKey);
        return lane != null && lane.held;
    }

    /** Messages waiting in the lanes that may be written now (not held). */
    public int writableSize() {
        if (held) {
            return control.size();
        }
        int n = control.size();
        for (Lane lane : lanes.values()) {
            if (!lane.held) {
                n += lane.size.get();
            }
        }
        return n;
    }

    /** Drops everything queued and refuses further messages. Any thread. */
    public void close() {
        closed = true;
        drop(control);
        for (Lane lane : lanes.values()) {
            lane.size.addAndGet(-drop(lane.messages));
        }
        ready.clear();
        signalDrained();
    }

    private int drop(Queue<Object> queue) {
        int n = 0;
        Object message;
        while ((message = queue.poll()) != null) {
            size.decrementAndGet();
            ReferenceCountUtil.release(message);
            n++;
        }
        return n;
    }

    @Override
    public void run() {
        scheduled.set(false);
        if (!channel.isActive()) {
            close();
            return;
        }
        int count = 0;
        Object message;
        // Control messages first, held or not.
        while (count < MAX_PER_RUN && channel.isWritable() && (message = control.poll()) != null) {
            channel.write(message, channel.voidPromise());
            count++;
        }
        boolean holding = held; // hold(false) schedules the next run
        Lane lane;
        while (!holding && count < MAX_PER_RUN && channel.isWritable() && (lane = ready.poll()) != null) {
            lane.waiting.set(false);
            if (lane.held) {
                // Leaves the line; hold(lane, false) puts it back. Read again after clearing 'waiting':
                // a release in between found it waiting and did not put it back.
                if (!lane.held && !lane.messages.isEmpty() && lane.waiting.compareAndSet(false, true)) {
                    ready.offer(lane);
                }
                continue;
            }
            int turn = 0;
            while (turn < TURN && count < MAX_PER_RUN && channel.isWritable() && (message = lane.messages.poll()) != null) {
                channel.write(message, channel.voidPromise());
                lane.size.decrementAndGet();
                turn++;
                count++;
            }
            if (!lane.messages.isEmpty() && lane.waiting.compareAndSet(false, true)) {
                ready.offer(lane); // to the back: the other lanes take their turns first
            }
        }
        int left = size.addAndGet(-count);
        if (count > 0) {
            written += count;
            channel.flush();
        }
        if (waiters.get() > 0) {
            signalDrained(); // waiters check their own lane
        }
        boolean more = !control.isEmpty() || (!holding && !ready.isEmpty());
        if (more && left > 0 && channel.isWritable() && scheduled.compareAndSet(false, true)) {
            channel.eventLoop().execute(this);
        }
    }

    private void signalDrained() {
        if (waiters.get() == 0) {
            return;
        }
        lock.lock();
        try {
            drained.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
