package io.gatewayworker.bench.load;

import org.HdrHistogram.Histogram;

/**
 * What connections measured: latency histograms and counters. {@link LoopStats} keeps one event loop's
 * live; a report adds up copies of them. Not thread-safe.
 */
class Counters {

    /** Latencies from 1 µs to 60 s, with 3 significant digits, in nanoseconds. */
    static Histogram newHistogram() {
        return new Histogram(1_000L, 60_000_000_000L, 3);
    }

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
    /** In a copy for a report: connections waiting for an answer, and connections open. */
    long outstanding;
    long open;

    /** Adds {@code o}'s histograms and counters to these. */
    void add(Counters o) {
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
