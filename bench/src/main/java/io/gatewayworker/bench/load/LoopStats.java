package io.gatewayworker.bench.load;

import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * What the connections of one event loop measured, plus the list of those connections. Confined to that
 * event loop: handlers update it in place, and {@link #snapshot()} runs as a task on the loop.
 */
final class LoopStats {

    /** Latencies from 1 µs to 60 s, with 3 significant digits, in nanoseconds. */
    static Histogram newHistogram() {
        return new Histogram(1_000L, 60_000_000_000L, 3);
    }

    final List<LoadHandler> handlers = new ArrayList<>();

    /** Round trip (echo) or delivery (broadcast) latencies outside reload marks. */
    final Histogram latency = newHistogram();
    /** Latencies of operations that finished while a reload mark was on. */
    final Histogram marked = newHistogram();
    /** Broadcast: time until the last receiver had it. */
    final Histogram complete = newHistogram();

    long ops;
    long markedOps;
    long completed;
    long timeouts;
    long late;
    long mismatched;
    long gaps;
    long duplicates;
    long undelivered;
    long closed;

    /** A copy of the counters and histograms, for the report. */
    Snapshot snapshot() {
        Snapshot s = new Snapshot();
        s.latency.add(latency);
        s.marked.add(marked);
        s.complete.add(complete);
        s.ops = ops;
        s.markedOps = markedOps;
        s.completed = completed;
        s.timeouts = timeouts;
        s.late = late;
        s.mismatched = mismatched;
        s.gaps = gaps;
        s.duplicates = duplicates;
        s.undelivered = undelivered;
        s.closed = closed;
        for (LoadHandler h : handlers) {
            if (h.outstanding()) {
                s.outstanding++;
            }
            if (h.isOpen()) {
                s.open++;
            }
        }
        return s;
    }

    /** Counters and histograms of one loop, or of several merged. Not thread-safe. */
    static final class Snapshot {
        final Histogram latency = newHistogram();
        final Histogram marked = newHistogram();
        final Histogram complete = newHistogram();
        long ops;
        long markedOps;
        long completed;
        long timeouts;
        long late;
        long mismatched;
        long gaps;
        long duplicates;
        long undelivered;
        long closed;
        long outstanding;
        long open;

        void add(Snapshot o) {
            latency.add(o.latency);
            marked.add(o.marked);
            complete.add(o.complete);
            ops += o.ops;
            markedOps += o.markedOps;
            completed += o.completed;
            timeouts += o.timeouts;
            late += o.late;
            mismatched += o.mismatched;
            gaps += o.gaps;
            duplicates += o.duplicates;
            undelivered += o.undelivered;
            closed += o.closed;
            outstanding += o.outstanding;
            open += o.open;
        }
    }
}
