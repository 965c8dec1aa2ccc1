package io.gatewayworker.host.app;

import io.gatewayworker.api.Timers;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Timers} of one loaded version of an app. A shared host thread ({@code gw-timers}) keeps
 * time; each run of a task starts a virtual thread of the version ({@link AppScheduler}) with the app's
 * class loader as context loader, so a task may block without delaying other timers. {@link #cancelAll()} runs when the version stops.
 *
 * <p>Thread-safe.
 */
final class AppTimers implements Timers {

    private static final Logger log = LoggerFactory.getLogger(AppTimers.class);

    private final String app;
    private final ClassLoader loader;
    private final ScheduledExecutorService clock;
    private final AppScheduler threads;
    private final Set<AppTimer> live = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    AppTimers(String app, ClassLoader loader, ScheduledExecutorService clock, AppScheduler threads) {
        this.app = app;
        this.loader = loader;
        this.clock = clock;
        this.threads = threads;
    }

    @Override
    public Timer every(Duration period, Runnable task) {
        Objects.requireNonNull(task, "task");
        long millis = period.toMillis();
        if (millis < 1) {
            throw new IllegalArgumentException("period: " + period + " (expected: at least 1 ms)");
        }
        AppTimer timer = new AppTimer(task, true);
        register(timer);
        timer.armed(clock.scheduleAtFixedRate(timer::tick, millis, millis, TimeUnit.MILLISECONDS));
        return timer;
    }

    @Override
    public Timer after(Duration delay, Runnable task) {
        Objects.requireNonNull(task, "task");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay: " + delay + " (expected: zero or more)");
        }
        AppTimer timer = new AppTimer(task, false);
        register(timer);
        timer.armed(clock.schedule(timer::tick, delay.toMillis(), TimeUnit.MILLISECONDS));
        return timer;
    }

    /** Timers not yet done. */
    int live() {
        return live.size();
    }

    /** Cancels every timer and refuses new ones. */
    void cancelAll() {
        closed = true;
        for (AppTimer timer : live) {
            timer.cancel();
        }
    }

    private void register(AppTimer timer) {
        if (closed) {
            throw new IllegalStateException("app '" + app + "' has stopped: no new timers");
        }
        live.add(timer);
    }

    private final class AppTimer implements Timer {
        private final Runnable task;
        private final boolean repeating;
        private final AtomicBoolean running = new AtomicBoolean();
        private volatile ScheduledFuture<?> future;
        private volatile boolean done;

        AppTimer(Runnable task, boolean repeating) {
            this.task = task;
            this.repeating = repeating;
        }

        /** Keeps the scheduled future; cancels it at once if this timer, or all, was cancelled meanwhile. */
        void armed(ScheduledFuture<?> f) {
            future = f;
            if (done || closed) {
                cancel();
            }
        }

        /** Runs on the clock thread: hands the task to a virtual thread unless a run is still going. */
        void tick() {
            if (done) {
                return;
            }
            if (!running.compareAndSet(false, true)) {
                log.debug("App {}: a timer tick was skipped, the previous run is still going", app);
                return;
            }
            if (!repeating) {
                done = true;
                live.remove(this);
            }
            threads.start(this::run);
        }

        private void run() {
            Thread thread = Thread.currentThread();
            thread.setContextClassLoader(loader);
            try {
                task.run();
            } catch (Throwable t) {
                log.error("App {}: a timer task threw{}", app, repeating ? "; the timer keeps running" : "", t);
            } finally {
                running.set(false);
                thread.setContextClassLoader(null);
            }
        }

        @Override
        public void cancel() {
            done = true;
            live.remove(this);
            ScheduledFuture<?> f = future;
            if (f != null) {
                f.cancel(false);
            }
        }

        @Override
        public boolean isDone() {
            return done;
        }
    }
}
