package io.gatewayworker.bench.run;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The processes the runner started and has not stopped yet. A shutdown hook stops them by PID (SIGTERM
 * first) when the runner itself is stopped or fails, so that nothing is left running. Thread-safe.
 */
final class Cleanup {

    private final Set<AutoCloseable> live = ConcurrentHashMap.newKeySet();
    private volatile Runnable last;

    void add(AutoCloseable process) {
        live.add(process);
    }

    void remove(AutoCloseable process) {
        live.remove(process);
    }

    /** Something to do once everything is stopped (delete the work folder), or null. */
    void finallyDo(Runnable task) {
        last = task;
    }

    /** Stops everything still registered: load processes first, then servers; then the final task. */
    void stopAll() {
        List<AutoCloseable> all = new ArrayList<>(live);
        all.sort((a, b) -> Boolean.compare(a instanceof ServerProcess, b instanceof ServerProcess));
        for (AutoCloseable p : all) {
            try {
                if (p instanceof LoadProcess lp) {
                    lp.kill();
                } else {
                    p.close();
                }
            } catch (Exception e) {
                System.err.println("bench: could not stop " + p + ": " + e);
            }
            live.remove(p);
        }
        Runnable task = last;
        last = null;
        if (task != null) {
            task.run();
        }
    }
}
