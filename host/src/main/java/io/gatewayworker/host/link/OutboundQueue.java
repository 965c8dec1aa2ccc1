package io.gatewayworker.host.link;

import io.netty.channel.Channel;
import io.netty.util.ReferenceCountUtil;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Hands messages to a link channel from any thread, in batches: the first message of a batch schedules
 * one task on the channel's event loop, which writes everything queued by then and flushes once. One
 * cross-thread hand-off is paid per batch, not per message.
 *
 * <p>Messages added by one thread are written in the order they were added.
 *
 * <p><b>Bounds.</b> When more than {@code highWater} messages wait (the link is slow, or the peer
 * applies backpressure), threads that may block (not event loops) wait in
 * {@link #awaitCapacity(long)} until fewer than half of that remain. Writing pauses while the channel
 * is not writable, and resumes when its handler calls {@link #resume()}.
 *
 * <p>The peer may ask to {@link #hold(boolean) hold} the queue while it catches up. Messages added
 * with {@link #addControl} (credit, acknowledgements, barrier answers) are never held and go out
 * before the messages waiting in the held lane: holding them would stall the peer that asked for the
 * hold, which may be waiting for exactly those.
 *
 * <p><b>Progress.</b> {@link #written()} counts the messages handed to the channel. A queue that has
 * messages, is not held and whose count does not move has missed a wake-up: {@code GatewayFlowWatch} and {@code WorkerFlowWatch} report
 * that.
 *
 * <p>Thread-safe. {@link #run()} runs on the channel's event loop.
 */
public final class OutboundQueue implements Runnable {

    /** Messages written per task before the task yields the loop to other work. */
    private static final int MAX_PER_RUN = 4096;

    private final Channel channel;
    private final int highWater;
    private final Queue<Object> queue = new ConcurrentLinkedQueue<>();
    private final Queue<Object> control = new ConcurrentLinkedQueue<>();
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

    public OutboundQueue(Channel channel, int highWater) {
        if (highWater <= 0) {
            throw new IllegalArgumentException("highWater: " + highWater + " (expected: > 0)");
        }
        this.channel = channel;
        this.highWater = highWater;
    }

    /**
     * Queues a message for the channel. Returns false and releases the message when the link is
     * closed.
     */
    public boolean add(Object message) {
        if (closed) {
            ReferenceCountUtil.release(message);
            return false;
        }
        queue.offer(message);
        size.incrementAndGet();
        schedule();
        return true;
    }

    /**
     * Queues a message that is never held and goes out before the held lane's messages (messages added
     * here keep their order among themselves). Returns false and releases the message when the link is
     * closed.
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

    /**
     * Waits while the queue is over its high-water mark. Call it before {@link #add(Object)} from
     * threads that may block (virtual threads running app code); never from an event loop.
     *
     * @return false when the wait timed out (the message may still be added)
     */
    public boolean awaitCapacity(long timeoutMillis) throws InterruptedException {
        if (size.get() <= highWater || closed) {
            return true;
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        waiters.incrementAndGet();
        lock.lock();
        try {
            while (size.get() > highWater / 2 && !closed) {
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

    /** Messages waiting to be written. */
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
        if ((!queue.isEmpty() || !control.isEmpty()) && scheduled.compareAndSet(false, true)) {
            channel.eventLoop().execute(this);
        }
    }

    /**
     * Holds (true) or releases (false) the queue: while held nothing is written, messages queue, and
     * {@link #awaitCapacity} blocks its callers past the high-water mark. Any thread.
     */
    public void hold(boolean hold) {
        held = hold;
        if (!hold && !queue.isEmpty() && scheduled.compareAndSet(false, true)) {
            channel.eventLoop().execute(this);
        }
    }

    public boolean held() {
        return held;
    }

    /** Drops everything queued and refuses further messages. Any thread. */
    public void close() {
        closed = true;
        for (Queue<Object> lane : List.of(control, queue)) {
            Object message;
            while ((message = lane.poll()) != null) {
                size.decrementAndGet();
                ReferenceCountUtil.release(message);
            }
        }
        signalDrained();
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
        while (!holding && count < MAX_PER_RUN && channel.isWritable() && (message = queue.poll()) != null) {
            channel.write(message, channel.voidPromise());
            count++;
        }
        int left = size.addAndGet(-count);
        if (count > 0) {
            written += count;
            channel.flush();
        }
        if (left <= highWater / 2) {
            signalDrained();
        }
        boolean more = !control.isEmpty() || (!holding && !queue.isEmpty());
        if (more && channel.isWritable() && scheduled.compareAndSet(false, true)) {
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
