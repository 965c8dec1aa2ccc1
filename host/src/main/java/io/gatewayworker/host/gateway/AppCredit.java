package io.gatewayworker.host.gateway;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The credit one app has on one worker link: how many more of its clients' events the gateway may send
 * before the worker has handled some. Each app has a window of its own, so an app whose callbacks are
 * slow or blocked uses up only its own credit; the clients of the other apps on the same worker keep
 * sending.
 *
 * <p>When the credit runs out, the client that spent the last of it pauses (waits here) until the
 * worker returns credit for this app.
 *
 * <p>Thread-safe: client loops spend credit and wait, the link's loop returns it.
 */
final class AppCredit {

    private final String app;
    private final AtomicLong credit;
    /** Clients woken from a credit pause so far: grows while waiters make progress. */
    private final AtomicLong wakeups = new AtomicLong();
    private final ConcurrentLinkedQueue<ClientConnection> waiters = new ConcurrentLinkedQueue<>();

    AppCredit(String app, long window) {
        this.app = app;
        this.credit = new AtomicLong(window);
    }

    String app() {
        return app;
    }

    /**
     * Spends one credit for an event of {@code from} (its loop). When that was the last, {@code from}
     * pauses until credit returns. {@code open}: whether the link still lives (a closed link wakes
     * everyone, to rebind).
     */
    void spend(ClientConnection from, boolean open) {
        if (credit.decrementAndGet() <= 0) {
            from.pause(ClientConnection.PAUSE_CREDIT);
            waiters.add(from);
            if (credit.get() > 0 || !open) {
                wake(open); // credit came back between the two lines above
            }
        }
    }

    /** The worker returned {@code events} credits. Link loop. */
    void returned(int events, boolean open) {
        if (credit.addAndGet(events) > 0) {
            wake(open);
        }
    }

    /** Wakes the clients waiting for credit while there is credit (or the link is gone). Any thread. */
    void wake(boolean open) {
        ClientConnection c;
        while ((credit.get() > 0 || !open) && (c = waiters.poll()) != null) {
            ClientConnection waiter = c;
            wakeups.incrementAndGet();
            waiter.loop().execute(() -> waiter.resume(ClientConnection.PAUSE_CREDIT));
        }
    }

    long left() {
        return credit.get();
    }

    /** Clients waiting for credit (approximate). */
    int waiting() {
        return waiters.size();
    }

    long wakeups() {
        return wakeups.get();
    }

    @Override
    public String toString() {
        return app + " " + credit.get() + (waiters.isEmpty() ? "" : " (" + waiters.size() + " waiting)");
    }
}
