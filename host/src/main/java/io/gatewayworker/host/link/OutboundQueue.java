package io.gatewayworker.host.link;

import io.netty.channel.Channel;
import io.netty.util.ReferenceCountUtil;
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
 * <p>The peer may ask to {@link #hold(boolean) hold} the queue while it catches up.
 *
 * <p>Thread-safe. {@link #run()} runs on the channel's event loop.
 */
public final class OutboundQueue implements Runnable {

    /** Messages written per task before the task yields the loop to other work. */
    private static final int MAX_PER_RUN = 4096;

    private final Channel channel;
    private final int highWater;
    private final Queue<Object> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
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
        if (!scheduled.get() && scheduled.compareAndSet(false, true)) {
            channel.eventLoop().execute(this);
        }
        return true;
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

    /**
     * Continues writing after the channel became writable again. Always as a new task: the writability
     * event may come from inside the channel's own flush (the in-JVM transport fires it there), and
     * writing from there would re-enter the flush.
     */
    public void resume() {
        if (!queue.isEmpty() && scheduled.compareAndSet(false, true)) {
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
        Object message;
        while ((message = queue.poll()) != null) {
            size.decrementAndGet();
            ReferenceCountUtil.release(message);
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
        if (held) {
            return; // hold(false) schedules the next run
        }
        int written = 0;
        Object message;
        while (written < MAX_PER_RUN && channel.isWritable() && (message = queue.poll()) != null) {
            channel.write(message, channel.voidPromise());
            written++;
        }
        int left = size.addAndGet(-written);
        if (written > 0) {
            channel.flush();
        }
        if (left <= highWater / 2) {
            signalDrained();
        }
        if (left > 0 && channel.isWritable() && scheduled.compareAndSet(false, true)) {
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
