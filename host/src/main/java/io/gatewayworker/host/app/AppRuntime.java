package io.gatewayworker.host.app;

import io.gatewayworker.api.AppContext;
import io.gatewayworker.api.Events;
import io.gatewayworker.api.Gateway;
import io.gatewayworker.api.Timers;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One loaded version of an app: its {@link Events} object, class loader and context, with counters.
 *
 * <p>Thread-safe. The dispatcher reads it from any thread; {@link AppManager}'s owner thread changes
 * its state.
 */
public final class AppRuntime {

    private final String id;
    private final String version;
    private final Path source;
    private final Path loadedFrom;
    private final Instant loadedAt = Instant.now();
    private final Events events;
    private final ClassLoader classLoader;
    private final Context context;
    private final AppTimers timers;
    private final AppScheduler threads;
    private final AtomicLong slowCallbacks = new AtomicLong();
    private final AtomicLong eventsHandled = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private volatile AppState state = AppState.LOADED;

    AppRuntime(String id, String version, Path source, Path loadedFrom, Events events, ClassLoader classLoader,
               Gateway gateway, ScheduledExecutorService clock, int carriers) {
        this.id = id;
        this.version = version;
        this.source = source;
        this.loadedFrom = loadedFrom;
        this.events = events;
        this.classLoader = classLoader;
        this.context = new Context(gateway);
        this.threads = new AppScheduler("app-" + id + "-" + version, carriers);
        this.timers = new AppTimers(id, classLoader, clock, threads);
    }

    /**
     * Starts {@code task} on a virtual thread of this version, on its own carriers ({@link AppScheduler}).
     * The dispatcher runs client mailboxes with it. Any thread.
     */
    public Thread start(Runnable task) {
        return threads.start(task);
    }

    AppScheduler threads() {
        return threads;
    }

    /** A callback of this version ran longer than its budget (reported in the log). */
    public void recordSlowCallback() {
        slowCallbacks.incrementAndGet();
    }

    public long slowCallbacks() {
        return slowCallbacks.get();
    }

    /** The app id: the jar's {@code Plugin-Id}. */
    public String id() {
        return id;
    }

    /** The jar's {@code Plugin-Version}. */
    public String version() {
        return version;
    }

    /** The jar in {@code plugins/} this version came from. */
    public Path source() {
        return source;
    }

    /** The content-addressed copy the classes are loaded from. */
    public Path loadedFrom() {
        return loadedFrom;
    }

    public Instant loadedAt() {
        return loadedAt;
    }

    /** The app's callbacks. Call them only off the I/O threads, with {@link #classLoader()} as context loader. */
    public Events events() {
        return events;
    }

    public ClassLoader classLoader() {
        return classLoader;
    }

    public AppContext context() {
        return context;
    }

    AppTimers timers() {
        return timers;
    }

    public AppState state() {
        return state;
    }

    void state(AppState state) {
        this.state = state;
    }

    /** Counts a handled event; {@code failed} when its callback threw. */
    public void recordEvent(boolean failed) {
        eventsHandled.incrementAndGet();
        if (failed) {
            errors.incrementAndGet();
        }
    }

    public long eventsHandled() {
        return eventsHandled.get();
    }

    public long errors() {
        return errors.get();
    }

    /** "chat 1.0.0". */
    @Override
    public String toString() {
        return id + " " + version;
    }

    private final class Context implements AppContext {
        private final Gateway gateway;

        Context(Gateway gateway) {
            this.gateway = gateway;
        }

        @Override
        public Gateway gateway() {
            return gateway;
        }

        @Override
        public Timers timers() {
            return timers;
        }

        @Override
        public String appId() {
            return id;
        }

        @Override
        public String version() {
            return version;
        }

        @Override
        public String toString() {
            return "AppContext[" + id + " " + version + "]";
        }
    }
}
