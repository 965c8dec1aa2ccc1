package io.gatewayworker.host.app;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The place of one app in the dispatcher, whichever version runs: every callback passes through it
 * ({@link #enter()} ... {@link #exit()}), and a reload pauses it to swap the version.
 *
 * <p>While paused, {@link #enter()} parks the calling thread (a client's mailbox, on a virtual thread)
 * until {@link #resume(AppRuntime)}: each client's events stay queued in its mailbox, in order, and
 * their credit is not returned, so the gateways slow the clients down instead of dropping anything.
 * {@link #pause(Duration)} waits until the callbacks already running have returned.
 *
 * <p>Thread-safe. The fast path ({@code enter}/{@code exit} while not paused) is one CAS each.
 */
public final class AppSlot {

    private static final int PAUSED = 1 << 30;

    private final String id;
    private final AtomicInteger state = new AtomicInteger(); // PAUSED bit | callbacks running
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition resumed = lock.newCondition();
    private final Condition idle = lock.newCondition();
    private volatile AppRuntime current;
    private volatile boolean closed;

    AppSlot(String id, AppRuntime first) {
        this.id = id;
        this.current = first;
    }

    public String id() {
        return id;
    }

    /** The version that runs now. */
    public AppRuntime current() {
        return current;
    }

    /**
     * Enters a callback: returns the version to call, waiting while the slot is paused; null when the
     * app was removed. Every non-null return must be matched by {@link #exit()}.
     */
    public AppRuntime enter() {
        for (;;) {
            if (closed) {
                return null;
            }
            int s = state.get();
            if ((s & PAUSED) == 0) {
                if (state.compareAndSet(s, s + 1)) {
                    return current;
                }
                continue;
            }
            if (!awaitResume()) {
                return null;
            }
        }
    }

    /** Leaves a callback. */
    public void exit() {
        if (state.decrementAndGet() == PAUSED) {
            signal(idle);
        }
    }

    /** Callbacks running now. */
    public int running() {
        return state.get() & ~PAUSED;
    }

    public boolean paused() {
        return (state.get() & PAUSED) != 0;
    }

    /**
     * Stops new callbacks from starting and waits, at most {@code wait}, for those running to return.
     *
     * @return the callbacks still running when the wait ended (0 when all returned)
     */
    int pause(Duration wait) throws InterruptedException {
        state.getAndUpdate(s -> s | PAUSED);
        long left = wait.toNanos();
        lock.lock();
        try {
            while (running() > 0 && left > 0) {
                left = idle.awaitNanos(left);
            }
            return running();
        } finally {
            lock.unlock();
        }
    }

    /** Lets callbacks run again, on {@code next}. */
    void resume(AppRuntime next) {
        current = next;
        state.getAndUpdate(s -> s & ~PAUSED);
        signal(resumed);
    }

    /** The app is removed: parked and future callers get null from {@link #enter()}. */
    void close() {
        closed = true;
        state.getAndUpdate(s -> s & ~PAUSED);
        signal(resumed);
    }

    boolean isClosed() {
        return closed;
    }

    private boolean awaitResume() {
        lock.lock();
        try {
            while ((state.get() & PAUSED) != 0 && !closed) {
                // Bounded so that a lost signal cannot park a mailbox forever.
                resumed.await(100, TimeUnit.MILLISECONDS);
            }
            return !closed;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !closed;
        } finally {
            lock.unlock();
        }
    }

    private void signal(Condition condition) {
        lock.lock();
        try {
            condition.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
