package io.gatewayworker.host.worker;

import io.gatewayworker.api.GatewayException;
import io.gatewayworker.host.link.OutboundQueue;
import io.gatewayworker.host.transport.InternalAddress;
import io.gatewayworker.proto.link.v1.BarrierDone;
import io.gatewayworker.proto.link.v1.ClientAck;
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
 * <p><b>Credit.</b> The gateway may send {@code window} events of each app ahead; the worker returns
 * each app's credit in batches of {@code window / 8} finished events, so a worker that falls behind stops its gateway's
 * clients rather than queuing without bound. An event the gateway marked {@code ack} is acknowledged
 * as soon as it is handled ({@link #acked}), with the credit gathered so far: the gateway bounds each
 * client's events in flight with these marks. The events handled after a client's last mark are
 * acknowledged {@value #IDLE_ACK_MILLIS} ms after its mailbox ran dry ({@link #idle}), in one message for
 * all such clients: until then the gateway keeps them, to hand them to another worker should this one go.
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
    /** How long after a client's mailbox ran dry its last events are acknowledged. */
    static final long IDLE_ACK_MILLIS = 50;

    private final InternalAddress address;
    private final Channel channel;
    private final OutboundQueue out;
    private final int window;
    private final int creditBatch;
    /** The gateway's clients here; set when the gateway's Welcome came (before any event). */
    private volatile GatewayPeer peer;
    private final ConcurrentLinkedQueue<ClientState> idle = new ConcurrentLinkedQueue<>();
    /** Events of clients this worker does not know any more, dropped and not acknowledged yet, by connection. */
    private final ConcurrentHashMap<Integer, Integer> dropped = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicBoolean flushScheduled = new java.util.concurrent.atomic.AtomicBoolean();
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Per app: events finished and their credit not yet returned. */
    private final ConcurrentHashMap<String, AtomicInteger> unreturned = new ConcurrentHashMap<>();
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

    /** The clients of this link's gateway that this worker serves. */
    ConcurrentHashMap<Integer, ClientState> clients() {
        GatewayPeer p = peer;
        return p == null ? NO_CLIENTS : p.clients();
    }

    private static final ConcurrentHashMap<Integer, ClientState> NO_CLIENTS = new ConcurrentHashMap<>();

    GatewayPeer peer() {
        return peer;
    }

    void peer(GatewayPeer peer) {
        this.peer = peer;
    }

    /** Welcomed by the gateway: each app's credit window is open from the start (Hello.credit_window). Link loop. */
    void opened() {
        open = true;
    }

    /** Each app's credit window on this link, as the Hello declares it. */
    int window() {
        return window;
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

    /**
     * Sends a command, in its app's lane of the link (an app's backlog does not hold up another app's
     * commands). From an app thread it first waits while that lane is full, at most
     * {@value #CONGESTION_WAIT_MILLIS} ms; if the gateway has not caught up by then, the command is not
     * sent and the call fails: a gateway that stays slow must not grow this queue without bound.
     *
     * @throws GatewayException when the lane stayed full for the whole wait (the command was not sent)
     */
    void command(Command command) {
        String app = command.getApp();
        if (!channel.eventLoop().inEventLoop()) {
            boolean room;
            try {
                room = out.awaitCapacity(app, CONGESTION_WAIT_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new GatewayException("interrupted while waiting for room on the link to gateway " + address
                        + "; the command was not sent");
            }
            if (!room) {
                log.warn("Link to gateway {} stayed congested for {} ms ({} messages waiting): a command of app {} is"
                        + " refused", address, CONGESTION_WAIT_MILLIS, out.size(), app);
                throw new GatewayException("gateway " + address + " has not taken this app's commands for "
                        + CONGESTION_WAIT_MILLIS + " ms (" + out.size() + " waiting); the command was not sent");
            }
        }
        out.add(Envelope.newBuilder().setCommand(command).build(), app);
    }

    /** An event arrived. Link loop. */
    void received() {
        inFlight.incrementAndGet();
    }

    /**
     * An event of {@code app} was handled (or dropped): return the app's credit in batches, answer
     * barriers. Any thread.
     */
    void finished(String app) {
        int left = inFlight.decrementAndGet();
        AtomicInteger pending = unreturned(app);
        if (pending.incrementAndGet() >= creditBatch) {
            int n = pending.getAndSet(0);
            if (n > 0) {
                out.addControl(Envelope.newBuilder().setCredit(Credit.newBuilder().setApp(app).setEvents(n)).build());
            }
        }
        if (left == 0 && !barriers.isEmpty()) {
            answerBarriers();
        }
    }

    /**
     * An event of {@code app} the gateway marked {@code ack} was handled (or dropped): tell the gateway at
     * once, with the app's credit gathered so far. Call it before {@link #finished(String)} for that
     * event. Any thread.
     */
    void acked(int connection, String app, int events) {
        int n = unreturned(app).getAndSet(0);
        out.addControl(Envelope.newBuilder().setCredit(Credit.newBuilder().setApp(app).setEvents(n)
                .addAcks(ClientAck.newBuilder().setConnection(connection).setEvents(events))).build());
    }

    /** {@code state}'s mailbox ran dry with events not yet acknowledged: acknowledge them soon. Any thread. */
    void idle(ClientState state) {
        idle.add(state);
        scheduleFlush();
    }

    /** An event of a client this worker does not know was dropped: acknowledge it soon. Link loop. */
    void dropped(int connection) {
        dropped.merge(connection, 1, Integer::sum);
        scheduleFlush();
    }

    private void scheduleFlush() {
        if (flushScheduled.compareAndSet(false, true)) {
            channel.eventLoop().schedule(this::flushAcks, IDLE_ACK_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
        }
    }

    /** One message acknowledging every idle client's last events. Link loop. */
    private void flushAcks() {
        flushScheduled.set(false);
        Credit.Builder credit = Credit.newBuilder();
        ClientState state;
        while ((state = idle.poll()) != null) {
            int n = state.takeUnacked(this);
            if (n > 0) {
                credit.addAcks(ClientAck.newBuilder().setConnection(state.connection()).setEvents(n));
            }
        }
        for (Integer connection : dropped.keySet()) {
            Integer n = dropped.remove(connection);
            if (n != null) {
                credit.addAcks(ClientAck.newBuilder().setConnection(connection).setEvents(n));
            }
        }
        if (credit.getAcksCount() > 0) {
            out.addControl(Envelope.newBuilder().setCredit(credit).build());
        }
    }

    private AtomicInteger unreturned(String app) {
        AtomicInteger n = unreturned.get(app);
        return n != null ? n : unreturned.computeIfAbsent(app, a -> new AtomicInteger());
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
        return "in flight " + inFlight.get() + ", credit unreturned " + unreturned + ", commands queued " + out.size()
                + (out.held() ? " (all held by the gateway)" : ", " + out.writableSize() + " not held") + ", written " + out.written();
    }

    @Override
    public String toString() {
        return "gateway " + address;
    }
}
