package io.gatewayworker.host.gateway;

import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.HashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operations one read burst of a worker link brings for the clients of one event loop, run there
 * in order as one task. The clients written to are flushed by their loop after it has run the batches
 * queued by then ({@link LoopClients#dirty}), once each.
 *
 * <p>Filled on the link's loop, then run on {@link #loop()}; never both at once.
 */
final class LoopBatch implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(LoopBatch.class);

    private final EventLoop loop;
    private final ArrayList<Runnable> ops = new ArrayList<>();
    private final WorkerLink link;
    /** Per app: deliveries the operations make (a fan-out counts the clients it reaches). */
    private final HashMap<String, long[]> weights = new HashMap<>(4);
    private boolean accounted;

    LoopBatch(EventLoop loop) {
        this(loop, null);
    }

    /** A batch whose operations count towards {@code link}'s queued work (null: none). */
    LoopBatch(EventLoop loop, WorkerLink link) {
        this.loop = loop;
        this.link = link;
    }

    int size() {
        return ops.size();
    }

    /** The batch is handed to its loop: its deliveries count as queued work of the link until they ran. */
    void handedOver() {
        if (link != null) {
            accounted = true;
            weights.forEach((app, n) -> link.queued(app, n[0]));
        }
    }

    EventLoop loop() {
        return loop;
    }

    /** Adds an operation of {@code app}'s that makes one write or none. */
    void add(Runnable op, String app) {
        add(op, 1, app);
    }

    /** Adds an operation of {@code app}'s that makes about {@code deliveries} writes (a fan-out). */
    void add(Runnable op, long deliveries, String app) {
        ops.add(op);
        weights.computeIfAbsent(app, a -> new long[1])[0] += Math.max(1, deliveries);
    }

    boolean isEmpty() {
        return ops.isEmpty();
    }

    @Override
    public void run() {
        for (int i = 0; i < ops.size(); i++) {
            try {
                ops.get(i).run();
            } catch (Throwable t) {
                log.error("Gateway command failed", t);
            }
        }
        ops.clear();
        if (accounted) {
            weights.forEach((app, n) -> link.queued(app, -n[0]));
            accounted = false;
        }
        weights.clear();
    }
}
