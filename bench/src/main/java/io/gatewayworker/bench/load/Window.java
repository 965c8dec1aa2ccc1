package io.gatewayworker.bench.load;

/**
 * The measured window of a load process and the reload marks, set by the command thread and read by the
 * event loops. An operation counts when it finished inside the window, between {@link #start} and
 * {@link #end}: the operations counted are those whose work the server's CPU, sampled over the same
 * window, paid for (the last part of each; an operation straddling an edge is counted at one edge and
 * not the other). Counting only those that also started inside would leave out a latency's worth of
 * operations per window, which for a slow fan-out is a percent or two.
 *
 * <p>Times are {@link #now()}: nanoseconds since this class was loaded, always positive. Thread-safe
 * (volatile fields).
 */
final class Window {

    private static final long BASE = System.nanoTime();

    private volatile long start = Long.MAX_VALUE;
    private volatile long end = Long.MAX_VALUE;
    private volatile boolean marked;

    /** Nanoseconds since the process started (since this class was loaded); always positive. */
    static long now() {
        return System.nanoTime() - BASE + 1;
    }

    void begin() {
        end = Long.MAX_VALUE;
        start = now();
    }

    void end() {
        end = now();
    }

    /** True when an operation started at {@code startedAt} and finished at {@code finishedAt} counts. */
    boolean counts(long startedAt, long finishedAt) {
        return finishedAt >= start && finishedAt <= end;
    }

    /** Marks (or unmarks) the time while the server reloads its app. */
    void mark(boolean on) {
        marked = on;
    }

    boolean marked() {
        return marked;
    }
}
