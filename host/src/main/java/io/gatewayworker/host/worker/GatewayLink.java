package io.gatewayworker.host.worker;

import io.gatewayworker.api.GatewayException;
import io.gatewayworker.host.link.OutboundQueue;
import io.gatewayworker.host.transport.InternalAddress;
import io.gatewayworker.proto.link.v1.BarrierDone;
import io.gatewayworker.proto.link.v1.Command;
import io.gatewayworker.proto.link.v1.Credit;
import io.gatewayworker.proto.link.v1.Envelope;
import io.gatewayworker.proto.link.v1.Query;
import io.gatewayworker.proto.link.v1.Reply;
import io.netty.channel.Channel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's side of a link to one gateway: the clients of that gateway this worker serves, the
 * commands it sends there, and the credit it returns as it finishes events.
 *
 * <p><b>Credit.</b> The gateway may send {@code window} events ahead; the worker returns credit in
 * batches of {@code window / 8} finished events, so a worker that falls behind stops its gateway's
 * clients rather than queuing without bound. An event the gateway marked {@code ack} is acknowledged
 * as soon as it is handled ({@link #acked}), with the credit gathered so far: the gateway bounds each
 * client's events in flight with these marks.
 *
 * <p>Credit, acknowledgements and barrier answers use the queue's control lane: the gateway may ask
 * this worker to hold its commands, never these.
 *
 * <p>Thread-safe: the link's loop delivers events; virtual threads send commands and finish events.
 */
final class GatewayLink {

    private static final Logger log = LoggerFactory.getLogger(GatewayLink.class);
    /** Longest wait of an app thread for room in a congested link before queuing anyway. */
    private static final long CONGESTION_WAIT_MILLIS = 10_000;

    private final InternalAddress address;
    private final Channel channel;
    private final OutboundQueue out;
    private final int window;
    private final int creditBatch;
    private final ConcurrentHashMap<Integer, ClientState> clients = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger unreturned = new AtomicInteger();
    private final ConcurrentLinkedQueue<Long> barriers = new ConcurrentLinkedQueue<>();
    private final ConcurrentHashMap<Long, CompletableFuture<Reply>> pending = new ConcurrentHashMap<>();
    private final AtomicLong requestIds = new AtomicLong();
    private volatile boolean open;

    GatewayLink(InternalAddress address, Channel channel, int window) {
        this.address = address;
        this.channel = channel;
        this.window = window;
        this.creditBatch = Math.max(1, window / 8);
        this.out = new OutboundQueue(channel, window * 4);
    }

    InternalAddress address() {
        return address;
    }

    Channel channel() {
        return channel;
    }

    OutboundQueue out() {
        return out;
    }

    boolean isOpen() {
        return open;
    }

    ConcurrentHashMap<Integer, ClientState> clients() {
        return clients;
    }

    /** Welcomed by the gateway: open the credit window. Link loop. */
    void opened() {
        open = true;
        out.addControl(Envelope.newBuilder().setCredit(Credit.newBuilder().setEvents(window)).build());
    }

    void closed() {
        open = false;
        out.close();
        GatewayException gone = new GatewayException("gateway " + address + " went away before it answered");
        pending.values().forEach(f -> f.completeExceptionally(gone));
        pending.clear();
    }

    /**
     * Sends a query and returns the future of its reply. The caller bounds the wait; a reply that comes
     * after the caller gave up is dropped.
     */
    CompletableFuture<Reply> ask(String app, Query query) {
        long id = requestIds.incrementAndGet();
        CompletableFuture<Reply> reply = new CompletableFuture<>();
        pending.put(id, reply);
        reply.whenComplete((r, e) -> pending.remove(id));
        if (!open) {
            reply.completeExceptionally(new GatewayException("gateway " + address + " is not linked"));
            return reply;
        }
        command(Command.newBuilder().setApp(app).setRequestId(id).setQuery(query).build());
        return reply;
    }

    /** A reply arrived. Link loop. */
    void replied(Reply reply) {
        CompletableFuture<Reply> waiting = pending.remove(reply.getRequestId());
        if (waiting != null) {
            waiting.complete(reply);
        }
    }

    /** Sends a command. From an app thread it first waits (bounded) while the link is congested. */
    void command(Command command) {
        if (!channel.eventLoop().inEventLoop()) {
            try {
                if (!out.awaitCapacity(CONGESTION_WAIT_MILLIS)) {
                    log.warn("Link to gateway {} is congested ({} commands waiting); queuing anyway", address, out.size());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        out.add(Envelope.newBuilder().setCommand(command).build());
    }

    /** An event arrived. Link loop. */
    void received() {
        inFlight.incrementAndGet();
    }

    /** An event was handled (or dropped): return credit in batches, answer barriers. Any thread. */
    void finished() {
        int left = inFlight.decrementAndGet();
        if (unreturned.incrementAndGet() >= creditBatch) {
            int n = unreturned.getAndSet(0);
            if (n > 0) {
                out.addControl(Envelope.newBuilder().setCredit(Credit.newBuilder().setEvents(n)).build());
            }
        }
        if (left == 0 && !barriers.isEmpty()) {
            answerBarriers();
        }
    }

    /**
     * An event the gateway marked {@code ack} was handled (or dropped): tell the gateway at once, with
     * the credit gathered so far. Call it before {@link #finished()} for that event. Any thread.
     */
    void acked(int connection) {
        int n = unreturned.getAndSet(0);
        out.addControl(Envelope.newBuilder().setCredit(Credit.newBuilder().setEvents(n).addAcks(connection)).build());
    }

    /** The gateway asks to hear when every event sent before this point is handled. Link loop. */
    void barrier(long id) {
        barriers.add(id);
        if (inFlight.get() == 0) {
            answerBarriers();
        }
    }

    private void answerBarriers() {
        Long id;
        while ((id = barriers.poll()) != null) {
            out.addControl(Envelope.newBuilder().setBarrierDone(BarrierDone.newBuilder().setId(id)).build());
        }
    }

    String flowReport() {
        return "in flight " + inFlight.get() + ", credit unreturned " + unreturned.get() + ", commands queued " + out.size()
                + (out.held() ? " (held by the gateway)" : "") + ", written " + out.written();
    }

    @Override
    public String toString() {
        return "gateway " + address;
    }
}
