package io.gatewayworker.host.app;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches that the class loader of each unloaded app version becomes unreachable. It holds only a weak
 * reference. After {@code delay}, if the loader is still reachable, it asks for one garbage collection
 * and looks again; a loader still reachable then is reported as a leak, naming the app, the version and
 * the threads that hold it (a thread whose context class loader or class is the app's: typically a
 * thread the app started and never stopped).
 *
 * <p>Thread-safe; checks run on the clock thread it is given.
 */
final class LeakWatcher {

    private static final Logger log = LoggerFactory.getLogger(LeakWatcher.class);

    /** A version whose class loader stayed reachable. */
    record Leak(String app, String version, List<String> threads) {
        @Override
        public String toString() {
            return app + " " + version + (threads.isEmpty() ? "" : " (held by thread " + String.join(", ", threads) + ")");
        }
    }

    private final ScheduledExecutorService clock;
    private final Duration delay;
    private final List<Leak> leaks = new CopyOnWriteArrayList<>();

    LeakWatcher(ScheduledExecutorService clock, Duration delay) {
        this.clock = clock;
        this.delay = delay;
    }

    /** Starts watching the loader of a version that was just unloaded. */
    void watch(String app, String version, ClassLoader loader) {
        WeakReference<ClassLoader> ref = new WeakReference<>(loader);
        clock.schedule(() -> check(app, version, ref, true), delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    List<Leak> leaks() {
        return List.copyOf(leaks);
    }

    private void check(String app, String version, WeakReference<ClassLoader> ref, boolean first) {
        if (ref.get() == null) {
            log.debug("App {} {}: class loader collected", app, version);
            return;
        }
        if (first) {
            // Class loaders go only when the collector gets to them; ask once before judging.
            System.gc();
            clock.schedule(() -> check(app, version, ref, false), 500, TimeUnit.MILLISECONDS);
            return;
        }
        List<String> holders = holders(ref.get());
        Leak leak = new Leak(app, version, holders);
        leaks.add(leak);
        log.warn("App {} {} leaks: its class loader is still reachable {} s after it was unloaded{}", app, version,
                delay.toSeconds(), holders.isEmpty() ? " (no thread of its own holds it: look for static caches"
                        + " or listeners that keep its objects)"
                        : "; held by thread(s) " + String.join(", ", holders) + ", which it started and never"
                        + " stopped: stop them in onWorkerStop");
    }

    /** Live platform threads whose class or context class loader is {@code loader}. */
    private static List<String> holders(ClassLoader loader) {
        List<String> names = new ArrayList<>();
        if (loader == null) {
            return names;
        }
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getContextClassLoader() == loader || thread.getClass().getClassLoader() == loader) {
                names.add("'" + thread.getName() + "'");
            }
        }
        return names;
    }
}
