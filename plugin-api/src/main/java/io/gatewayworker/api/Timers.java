package io.gatewayworker.api;

import java.time.Duration;

/**
 * An app's timers, from {@link AppContext#timers()}.
 *
 * <p>A timer's task runs on a virtual thread with the app's class loader as context loader, never on a
 * network thread; it may block and may use the {@link Gateway}. An exception from a task is logged with
 * the app's id and does not cancel a repeating timer. A repeating timer never runs twice at once: a tick
 * that comes while the previous run is still going is skipped.
 *
 * <p>Every timer of an app is cancelled when that version of the app stops, right after its
 * {@link Events#onWorkerStop(AppContext)}. While an app is being reloaded, its old and new versions both
 * run for a moment (the new one has started, the old one has not stopped yet), so their timers may both
 * fire during that moment.
 *
 * <p>Thread-safe.
 */
public interface Timers {

    /**
     * Runs {@code task} every {@code period}, the first time one period from now.
     *
     * @param period the time between runs, at least one millisecond
     * @param task what to run
     * @return the timer, to cancel it
     * @throws IllegalArgumentException when the period is shorter than one millisecond
     * @throws IllegalStateException when the app has stopped
     */
    Timer every(Duration period, Runnable task);

    /**
     * Runs {@code task} once, {@code delay} from now.
     *
     * @param delay the wait, zero or more
     * @param task what to run
     * @return the timer, to cancel it before it runs
     * @throws IllegalArgumentException when the delay is negative
     * @throws IllegalStateException when the app has stopped
     */
    Timer after(Duration delay, Runnable task);

    /**
     * Cancels a timer: it runs no more (a run already going finishes). Cancelling twice is harmless.
     *
     * @param timer the timer
     */
    default void cancel(Timer timer) {
        timer.cancel();
    }

    /** A timer made by {@link Timers}. */
    interface Timer {

        /** Cancels this timer; see {@link Timers#cancel(Timer)}. */
        void cancel();

        /**
         * Whether this timer was cancelled, or (for {@link Timers#after}) has run.
         *
         * @return true when it will not run again
         */
        boolean isDone();
    }
}
