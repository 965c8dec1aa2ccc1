package io.gatewayworker.bench.load;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the connections of one load process share: the settings, the measured {@link Window}, whether the
 * load runs, the per-loop {@link LoopStats}, and for broadcasts the {@link BroadcastState}.
 *
 * <p>Thread-safe: the settings are final, the flags volatile or atomic, and each {@link LoopStats} is
 * used only by its loop.
 */
final class LoadContext {

    private final Map<EventExecutor, LoopStats> stats = new IdentityHashMap<>();
    private final List<EventLoop> loops = new ArrayList<>();
    private final Window window = new Window();
    private final AtomicInteger open = new AtomicInteger();
    private final int size;
    private final long replyTimeoutNanos;
    private final BroadcastState broadcast;
    private volatile boolean running;
    private volatile boolean closing;

    LoadContext(EventLoopGroup group, int size, double replyTimeoutSeconds, int window) {
        for (EventExecutor e : group) {
            stats.put(e, new LoopStats());
            loops.add((EventLoop) e);
        }
        this.size = size;
        this.replyTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(Math.round(replyTimeoutSeconds * 1000));
        this.broadcast = new BroadcastState(this, window);
    }

    LoopStats stats(EventLoop loop) {
        return stats.get(loop);
    }

    List<EventLoop> loops() {
        return loops;
    }

    Window window() {
        return window;
    }

    int size() {
        return size;
    }

    long replyTimeoutNanos() {
        return replyTimeoutNanos;
    }

    BroadcastState broadcast() {
        return broadcast;
    }

    boolean running() {
        return running;
    }

    void running(boolean on) {
        running = on;
    }

    boolean closing() {
        return closing;
    }

    void closing(boolean on) {
        closing = on;
    }

    /** Connections whose handshake completed and that are still open. */
    int open() {
        return open.get();
    }

    void connectionOpened() {
        open.incrementAndGet();
    }

    void connectionClosed() {
        open.decrementAndGet();
    }
}
