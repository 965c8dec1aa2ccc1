package io.gatewayworker.bench.load;

import java.util.ArrayList;
import java.util.List;

/**
 * What the connections of one event loop measured, plus the list of those connections. Confined to that
 * event loop: handlers update it in place, and {@link #snapshot()} runs as a task on the loop.
 */
final class LoopStats extends Counters {

    final List<LoadHandler> handlers = new ArrayList<>();

    /** A copy of the counters and histograms, with the handlers still waiting and still open, for the report. */
    Counters snapshot() {
        Counters s = new Counters();
        s.add(this);
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
}
