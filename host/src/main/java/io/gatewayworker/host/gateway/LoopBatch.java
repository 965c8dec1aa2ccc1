package io.gatewayworker.host.gateway;

import io.netty.channel.EventLoop;
import java.util.ArrayList;
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
    private int accounted;

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

    /** The batch is handed to its loop: its operations count as queued work of the link until they ran. */
    void handedOver() {
        accounted = ops.size();
        if (link != null) {
            link.queued(accounted);
        }
    }

    EventLoop loop() {
        return loop;
    }

    void add(Runnable op) {
        ops.add(op);
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
        if (link != null && accounted > 0) {
            link.queued(-accounted);
            accounted = 0;
        }
    }
}
