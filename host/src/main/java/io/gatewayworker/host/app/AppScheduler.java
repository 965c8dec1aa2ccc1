package io.gatewayworker.host.app;

import java.lang.reflect.Constructor;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threads that run one app version's code: virtual threads (cheap to block, one per running client
 * mailbox or timer run) mounted on carrier threads of the version's own, not the JVM's shared ones.
 *
 * <p><b>Why.</b> A virtual thread that computes without blocking keeps its carrier until it is done, and
 * the JVM's scheduler has one carrier per core: two callbacks that spin would stop every other virtual
 * thread of the process, other apps included. Here an app that keeps the CPU busy keeps only its own
 * carriers busy; the operating system shares the cores between those, the other apps' carriers and the
 * host's threads, so the others stay served. And a reload gets new carriers: a version stuck in a loop
 * does not take its successor down with it.
 *
 * <p>The JDK has no public API for a virtual thread's scheduler yet; this uses the constructor the JDK's
 * own tests use, opened with {@code --add-opens java.base/java.lang=ALL-UNNAMED} ({@code bin/gatewayworker}
 * and the build pass it). Without it, versions share the JVM's scheduler, as plain virtual threads do, and
 * a warning says what is lost.
 *
 * <p><b>Retiring.</b> Once a version is replaced, {@link #retire()} shuts its carriers down when the last
 * of its threads has ended; a thread that never ends (an endless loop) keeps them, and the leak check of
 * the old version names it.
 *
 * <p>Thread-safe.
 */
final class AppScheduler {

    private static final Logger log = LoggerFactory.getLogger(AppScheduler.class);
    private static final Constructor<?> BUILDER = virtualThreadBuilderWithScheduler();

    private final String name;
    private final ForkJoinPool carriers;
    private final ThreadFactory threads;
    private final AtomicInteger live = new AtomicInteger();
    private volatile boolean retired;

    /**
     * @param name prefix of the thread names, e.g. {@code app-chat-1.0.0}
     * @param parallelism carrier threads (0: one per processor)
     */
    AppScheduler(String name, int parallelism) {
        this.name = name;
        int n = parallelism > 0 ? parallelism : Runtime.getRuntime().availableProcessors();
        ForkJoinPool pool = null;
        ThreadFactory factory = null;
        if (BUILDER != null) {
            AtomicInteger carrier = new AtomicInteger();
            pool = new ForkJoinPool(n, p -> {
                ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
                t.setName(name + "-carrier-" + carrier.incrementAndGet());
                t.setDaemon(true);
                return t;
            }, null, true, 0, Math.max(n, 256), 1, p -> true, 30, TimeUnit.SECONDS);
            try {
                Thread.Builder.OfVirtual builder = (Thread.Builder.OfVirtual) BUILDER.newInstance((Executor) pool);
                factory = builder.name(name + "-", 0).factory();
            } catch (ReflectiveOperationException | RuntimeException e) {
                pool.shutdown();
                pool = null;
                log.warn("Virtual threads on carriers of their own are not available ({}): app {} shares the JVM's", e, name);
            }
        }
        this.carriers = pool;
        this.threads = factory != null ? factory : Thread.ofVirtual().name(name + "-", 0).factory();
    }

    /** Whether this version's threads run on carriers of its own. */
    boolean ownCarriers() {
        return carriers != null;
    }

    /**
     * Starts {@code task} on a new virtual thread of this version. After {@link #retire()} (a client's
     * mailbox finishing its last events of the old version, say) it runs on the JVM's scheduler. Any thread.
     */
    Thread start(Runnable task) {
        if (retired) {
            return Thread.ofVirtual().name(name + "-retired").start(task);
        }
        live.incrementAndGet();
        Thread thread = threads.newThread(() -> {
            try {
                task.run();
            } finally {
                if (live.decrementAndGet() == 0 && retired) {
                    shutDown();
                }
            }
        });
        try {
            thread.start();
        } catch (RejectedExecutionException e) { // the carriers shut down meanwhile
            live.decrementAndGet();
            return Thread.ofVirtual().name(name + "-retired").start(task);
        }
        return thread;
    }

    /** Threads of this version running now. */
    int live() {
        return live.get();
    }

    /** The version is replaced or removed: its carriers end once its last thread has. */
    void retire() {
        retired = true;
        if (live.get() == 0) {
            shutDown();
        }
    }

    private void shutDown() {
        if (carriers != null) {
            carriers.shutdown();
        }
    }

    @Override
    public String toString() {
        return name + (carriers != null ? " (" + carriers.getParallelism() + " carriers)" : " (shared carriers)");
    }

    private static Constructor<?> virtualThreadBuilderWithScheduler() {
        try {
            Class<?> type = Class.forName("java.lang.ThreadBuilders$VirtualThreadBuilder");
            Constructor<?> constructor = type.getDeclaredConstructor(Executor.class);
            constructor.setAccessible(true);
            return constructor;
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.warn("Apps share the JVM's virtual-thread carriers: an app whose callbacks keep the CPU busy can slow"
                    + " the others down. Start the JVM with --add-opens java.base/java.lang=ALL-UNNAMED (bin/gatewayworker"
                    + " does) to give each app carriers of its own ({})", e.toString());
            return null;
        }
    }
}
