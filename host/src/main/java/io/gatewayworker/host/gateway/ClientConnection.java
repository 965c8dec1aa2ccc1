package io.gatewayworker.host.gateway;

import io.gatewayworker.proto.link.v1.ClientEvent;
import io.gatewayworker.proto.link.v1.ClientInfo;
import io.gatewayworker.proto.link.v1.Envelope;
import io.gatewayworker.proto.link.v1.Handshake;
import io.gatewayworker.proto.link.v1.Session;
import io.gatewayworker.proto.link.v1.SessionWrite;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection on the gateway: its id, its state, its session, the worker it is bound to, and
 * the events it sends that worker.
 *
 * <pre>
 *   HANDSHAKING ──verdict accept──► OPEN ──close──► CLOSING ──► CLOSED
 *        └──────── refused / timeout / gone ─────────────────────┘
 * </pre>
 *
 * <p><b>Events.</b> Each event goes to the worker the client is bound to. The first event on a link
 * carries the client's info and session; later ones carry the session only when it changed since it
 * was last sent. While no worker serves the client's app, events wait here in order (bounded).
 *
 * <p><b>Flow.</b> At most {@code limits.client.in-flight} events of a client are on their way to its
 * worker or waiting there. Every quarter of that bound, an event is marked {@code ack}; the worker
 * acknowledges a marked event as soon as it is handled, with the number of the client's events it handled
 * since its last acknowledgement (a client's events are handled in order), and acknowledges the rest
 * shortly after the client's events run out. So one busy client cannot fill its link's queue and push every
 * other client's events behind its own, and the link's queue stays short enough to cross quickly on a busy
 * machine.
 *
 * <p><b>Worker loss.</b> The events a worker has not acknowledged stay here. When its link goes (the
 * process died, froze or was cut off), they are handed, in order and before any newer event, to another
 * worker serving the app, marked {@code redelivered} (the app may have seen them), with the client's info
 * marked {@code accepted} so that the new worker runs {@code onClose} in its time. No worker: they wait
 * here, bounded, for one. When a worker stops gracefully ({@link #drainFrom}), its clients move once it
 * has finished their events; nothing is handed twice then.
 *
 * <p><b>Reading</b> pauses for any of: the handshake is pending, the worker link is out of credit, the
 * client has the most events in flight it may have, no worker serves the app; it resumes when no reason
 * is left.
 *
 * <p>Loop-confined: every method runs on the channel's event loop, except {@link #number()},
 * {@link #id()}, {@link #loop()} and {@link #writeSession}, which link threads call (the session fields
 * are published for that).
 */
final class ClientConnection {

    static final int PAUSE_HANDSHAKE = 1;
    static final int PAUSE_CREDIT = 2;
    static final int PAUSE_FLOW = 4;
    static final int PAUSE_NO_WORKER = 8;
    /** Pauses during which input already read is held back by the protocol rather than sent. */
    private static final int HOLD_INPUT = PAUSE_CREDIT | PAUSE_FLOW;

    enum State { HANDSHAKING, OPEN, CLOSING, CLOSED }

    private static final Logger log = LoggerFactory.getLogger(ClientConnection.class);

    private final GatewayServer gateway;
    private final Channel channel;
    private final EventLoop loop;
    private final Listener listener;
    private final LoopClients loopClients;
    // Per-connection memory counts (tens of thousands of these): the id text, the remote host text and
    // the client info are derived when asked for, not kept.
    private final int number;
    private final int remotePort;
    private final long connectedAt = System.currentTimeMillis();
    private ProtocolSession protocol;

    private State state = State.HANDSHAKING;
    /** Some worker has heard of this client. */
    private boolean announced;
    /** The app accepted the client (CONNECT was emitted). */
    private boolean accepted;
    private String app;
    private WorkerLink link;
    /**
     * Events sent to {@link #link} that the worker has not acknowledged yet, oldest first: handed to another
     * worker if this one goes away. Its size is the client's events in flight.
     */
    private ArrayDeque<ClientEvent> unacked;
    /** A worker gave this client up (its lease ran out): no other worker is to run onClose for it. */
    private boolean givenUp;
    /** The next event goes to a link that has not seen this client yet. */
    private boolean fresh;
    private String uid;
    private Set<String> groups = Set.of();
    // The session is written by link threads (writeSession, at once, so that a client's next event sees
    // a change another client's callback made before it) and read by this client's loop. The writer
    // publishes session, then version; the reader reads version, then session, so an event never
    // carries a session older than the version it names.
    private volatile Session session = Session.getDefaultInstance();
    private volatile long sessionVersion;
    private volatile long sentSessionVersion = -1;
    private int pauses;
    /** Events sent since the last one marked {@code ack}. */
    private int sinceMark;
    private ArrayDeque<ClientEvent.Builder> waiting;
    /** The app key this client is counted under while it waits for a worker, or null. */
    private String countedAs;
    private List<ByteBuf> early;
    private int earlyBytes;
    private boolean dirty;

    private long messagesIn;
    private long bytesIn;
    private long messagesOut;
    private long bytesOut;
    // Monotonic milliseconds (clock()): a wall-clock step must not make every client look idle.
    private long lastActive = clock();
    private long lastPing;

    ClientConnection(GatewayServer gateway, Channel channel, Listener listener) {
        this.gateway = gateway;
        this.channel = channel;
        this.loop = channel.eventLoop();
        this.listener = listener;
        this.loopClients = gateway.table().loop(loop);
        this.number = gateway.table().allocate(this);
        this.remotePort = channel.remoteAddress() instanceof InetSocketAddress remote ? remote.getPort() : 0;
    }

    int number() {
        return number;
    }

    /** The client id (formatted on each call). Any thread. */
    String id() {
        return gateway.table().idOf(number);
    }

    EventLoop loop() {
        return loop;
    }

    Channel channel() {
        return channel;
    }

    Listener listener() {
        return listener;
    }

    State state() {
        return state;
    }

    String app() {
        return app;
    }

    /** The worker link this client is bound to, or null. Loop. */
    WorkerLink link() {
        return link;
    }

    Session session() {
        return session;
    }

    /** The bound uid, or null. */
    String uid() {
        return uid;
    }

    /** The groups this client is in; do not modify. */
    Set<String> groups() {
        return groups;
    }

    boolean isOpen() {
        return state == State.OPEN;
    }

    // ------------------------------------------------------------------ lifecycle

    /**
     * A WebSocket upgrade request arrived: ask the app (onWebSocketConnect). Reading pauses until the
     * verdict. When no worker serves the app and too many clients already wait for it, the client is
     * refused with 1013.
     */
    void handshake(ProtocolSession protocol, Handshake request) {
        this.protocol = protocol;
        pause(PAUSE_HANDSHAKE);
        app = gateway.links().resolveApp(listener.config().app());
        String appName = app == null ? "(not yet known)" : "'" + app + "'";
        if (gateway.links().anyOpen() && (app == null || !gateway.links().knows(app))) {
            log.info("Refusing client {} from {}: app {} is not installed on any linked worker", id(), remoteHost(), appName);
            state = State.CLOSING;
            protocol.refuse(1013, "app not serving; try again later");
            return;
        }
        if ((app == null || gateway.links().pick(app) == null)
                && gateway.links().waitingFor(app) >= gateway.limits().maxWaitingClientsPerApp()) {
            log.warn("Refusing client {} from {}: app {} is not serving and {} clients already wait for it",
                    id(), remoteHost(), appName, gateway.limits().maxWaitingClientsPerApp());
            state = State.CLOSING;
            protocol.refuse(1013, "app not serving; try again later");
            return;
        }
        emit(ClientEvent.newBuilder().setType(ClientEvent.Type.WEBSOCKET_CONNECT).setHandshake(request));
    }

    /** The app's answer to the handshake. */
    void verdict(boolean accept, int code, String reason) {
        if (state != State.HANDSHAKING) {
            return;
        }
        if (accept) {
            protocol.accept();
        } else {
            state = State.CLOSING;
            log.debug("Client {} refused by app {}: {} {}", id(), app, code, reason);
            protocol.refuse(code, reason);
        }
    }

    /** The handshake completed: the client is connected, and {@code open} speaks its protocol from now on. */
    void opened(ProtocolSession open) {
        this.protocol = open;
        if (state != State.HANDSHAKING) {
            channel.close(); // closed or refused while the 101 was being written
            return;
        }
        state = State.OPEN;
        accepted = true;
        if (app == null) {
            app = gateway.links().resolveApp(listener.config().app());
        }
        loopClients.add(this);
        emit(ClientEvent.newBuilder().setType(ClientEvent.Type.CONNECT));
        if (early != null) {
            for (ByteBuf buf : early) {
                countOut(buf.readableBytes());
                channel.write(buf, channel.voidPromise());
            }
            early = null;
            earlyBytes = 0;
            channel.flush();
        }
        resume(PAUSE_HANDSHAKE);
    }

    /** The channel is gone. Emits CLOSE to the worker that knows this client. */
    void closed() {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        if (accepted) {
            loopClients.remove(this);
        }
        if (early != null) {
            early.forEach(ByteBuf::release);
            early = null;
        }
        if (announced) {
            // Also for a client the app never accepted: the worker forgets it without onClose.
            emit(ClientEvent.newBuilder().setType(ClientEvent.Type.CLOSE));
        } else if (waiting != null) {
            waiting.clear();
        }
        // After the CLOSE left: a stop that waits for an empty table then finds every CLOSE sent.
        gateway.table().remove(this);
        releaseIfDone();
        gateway.clientClosed();
    }

    /**
     * A closed client leaves its worker once nothing of it waits here and the worker confirmed its last
     * events (the CLOSE among them): until then a lost link would hand them on.
     */
    private void releaseIfDone() {
        if (state != State.CLOSED || waitingEvents() > 0 || inFlight() > 0) {
            return;
        }
        uncountWaiting();
        if (link != null) {
            link.unbind(this);
            link = null;
        }
    }

    // ------------------------------------------------------------------ client -> worker

    void onText(String text, int wireBytes) {
        countIn(wireBytes);
        lastActive = clock();
        emit(ClientEvent.newBuilder().setType(ClientEvent.Type.MESSAGE).setText(text));
    }

    void onBinary(byte[] bytes, int wireBytes) {
        countIn(wireBytes);
        lastActive = clock();
        emit(ClientEvent.newBuilder().setType(ClientEvent.Type.MESSAGE).setBinary(com.google.protobuf.ByteString.copyFrom(bytes)));
    }

    private void countIn(int wireBytes) {
        messagesIn++;
        bytesIn += wireBytes;
        listener.messagesIn.increment();
        listener.bytesIn.add(wireBytes);
    }

    private void countOut(int wireBytes) {
        messagesOut++;
        bytesOut += wireBytes;
        listener.messagesOut.increment();
        listener.bytesOut.add(wireBytes);
    }

    /** Monotonic milliseconds, for activity and heartbeats. */
    static long clock() {
        return System.nanoTime() / 1_000_000;
    }

    /**
     * Whether the heartbeat looks at this client: open, and read from (a client the gateway paused cannot
     * show signs of life; its silence is the gateway's doing). Loop.
     */
    boolean heartbeatDue() {
        return state == State.OPEN && pauses == 0;
    }

    /**
     * Pings the client if it was not pinged in the last {@code intervalMillis} and is reading what it is
     * sent (a client that is not gets no pings on top of its backlog). Loop.
     */
    void ping(long now, long intervalMillis) {
        if (state == State.OPEN && now - lastPing >= intervalMillis && channel.isWritable()) {
            lastPing = now;
            protocol.ping();
        }
    }

    /** Closes a client that has been silent for too long (1001). Loop. */
    void closeIdle(long now) {
        log.debug("Closing client {}: silent for {} ms", id(), now - lastActive);
        close(null, 1001, "idle timeout", false);
    }

    void activity() {
        lastActive = clock();
    }

    private void emit(ClientEvent.Builder event) {
        if (waiting != null && !waiting.isEmpty()) {
            queue(event);
            return;
        }
        WorkerLink target = target();
        if (target == null) {
            queue(event);
            return;
        }
        send(target, event);
    }

    /**
     * The link to send to now: the bound one while it is open and taking events, else a newly bound one;
     * null when events must wait (no worker serves the app, or the client is moving off a draining worker
     * that has not finished its events yet).
     */
    private WorkerLink target() {
        if (link != null && !link.isOpen()) {
            linkLost(link); // before the loop ran it: what the gone worker had not confirmed goes first
            if (waitingEvents() > 0) {
                return null;
            }
        }
        if (link != null) {
            if (!link.draining()) {
                return link;
            }
            if (inFlight() > 0) {
                return null; // acked() sends what waits once the draining worker is done
            }
        }
        return bind();
    }

    /** Whether waiting events wait for a draining worker to finish (acked() goes on), not for a new worker. */
    private boolean movingOff() {
        return link != null && link.isOpen() && link.draining() && inFlight() > 0;
    }

    /** Binds this client to a worker serving its app; null when there is none. */
    private WorkerLink bind() {
        if (link != null) {
            link.unbind(this);
            link = null;
        }
        forgetFlow();
        if (app == null) {
            app = gateway.links().resolveApp(listener.config().app());
            if (app == null) {
                return null;
            }
        }
        WorkerLink picked = gateway.links().pick(app);
        if (picked == null) {
            return null;
        }
        picked.bind(this);
        link = picked;
        fresh = true;
        return picked;
    }

    private void send(WorkerLink target, ClientEvent.Builder event) {
        event.setConnection(number).setApp(app);
        long version = sessionVersion;
        if (fresh) {
            fresh = false;
            event.setClient(info());
            event.setSession(session).setSessionVersion(version);
            sentSessionVersion = version;
        } else if (sentSessionVersion != version) {
            event.setSession(session).setSessionVersion(version);
            sentSessionVersion = version;
        }
        announced = true;
        int bound = gateway.limits().clientInFlight();
        if (++sinceMark >= markEvery(bound)) {
            sinceMark = 0;
            event.setAck(true);
        }
        ClientEvent built = event.build();
        if (unacked == null) {
            unacked = new ArrayDeque<>(4);
        }
        unacked.add(built);
        target.send(Envelope.newBuilder().setEvent(built).build(), this);
        if (unacked.size() >= bound && (pauses & PAUSE_FLOW) == 0) {
            pause(PAUSE_FLOW);
            target.flowPaused(this, true);
        }
    }

    /** Every how many events one is marked {@code ack}, for a bound of {@code bound} events in flight. */
    static int markEvery(int bound) {
        return Math.max(1, bound / 4);
    }

    /**
     * {@code from} handled {@code events} more of this client's events, in order: they are forgotten here,
     * and reading resumes if it paused for events in flight. An acknowledgement from a link this client has
     * left is stale and changes nothing.
     */
    void acked(WorkerLink from, int events) {
        if (from != link || unacked == null) {
            return;
        }
        for (int i = 0; i < events && !unacked.isEmpty(); i++) {
            unacked.poll();
        }
        if ((pauses & PAUSE_FLOW) != 0 && unacked.size() < gateway.limits().clientInFlight()) {
            from.flowPaused(this, false);
            resume(PAUSE_FLOW);
        }
        if (unacked.isEmpty() && from.draining()) {
            moveOff();
        }
        releaseIfDone();
    }

    /** The worker of {@code from} is stopping: move to another once it has finished this client's events. Loop. */
    void drainFrom(WorkerLink from) {
        if (from == link && inFlight() == 0) {
            moveOff();
            releaseIfDone();
        }
    }

    /** Leaves the draining worker (its events are done): binds another, and sends it what waited. Loop. */
    private void moveOff() {
        if (state == State.CLOSED && waitingEvents() == 0) {
            return; // releaseIfDone() lets go of the link
        }
        bind();
        if (waitingEvents() > 0) {
            retryWaiting();
        }
    }

    /**
     * The link {@code gone} closed before its worker confirmed this client's last events: they go, in
     * order and before anything newer, to another worker (or wait for one), marked redelivered. Loop.
     */
    void linkLost(WorkerLink gone) {
        if (gone != link) {
            return;
        }
        handOnUnacked();
        if (waitingEvents() > 0) {
            startWaiting();
            if (waitingEvents() >= gateway.limits().maxWaitingEventsPerClient()) {
                pause(PAUSE_NO_WORKER);
            }
            retryWaiting();
        } else {
            releaseIfDone();
        }
    }

    /**
     * The worker {@code to} came back within its lease and kept this client. With no other live worker
     * now, the client binds back to it, and carries on with no callback; otherwise the worker hears that
     * it is released (forgets it without onClose). Loop.
     */
    void reattach(WorkerLink to) {
        if (link == to || !to.isOpen()) {
            return;
        }
        if (state == State.CLOSED || link != null && link.isOpen() || app == null || !to.serves(app)) {
            // It left (its CLOSE finds a worker by itself), or it has another worker (live, or one it is
            // moving off), or the worker does not serve its app now.
            to.release(number);
            return;
        }
        if (link != null) {
            handOnUnacked(); // the worker's previous link, closed and not yet handled here
        }
        link = to;
        to.bind(this);
        fresh = true; // the worker has its info; this refreshes it, and the session
        resume(PAUSE_FLOW);
        if (waitingEvents() > 0) {
            retryWaiting();
        }
    }

    /**
     * The worker {@code from} gave this client up (onClose ran there) while its link was down. Unless another
     * worker has it now, the client is closed: an app must not serve a client it believes gone. No worker
     * runs onClose for it again.
     */
    void givenUpBy(WorkerLink from) {
        if (link != null && link.isLive() && link != from) {
            return; // it lives on at another worker, which knows it as accepted
        }
        givenUp = true;
        log.info("Client {} closed: worker {} gave it up while its link was down longer than its lease", id(), from);
        close(null, 1001, "server lost track of this connection; please reconnect", false);
    }

    /**
     * Moves the events the bound (gone) worker had not confirmed to the front of the waiting queue, marked
     * redelivered, and unbinds. Loop.
     */
    private void handOnUnacked() {
        link = null;
        ArrayDeque<ClientEvent> lost = unacked;
        unacked = null;
        forgetFlow();
        int handedOn = 0;
        if (lost != null && !lost.isEmpty()) {
            if (waiting == null) {
                waiting = new ArrayDeque<>();
            }
            java.util.Iterator<ClientEvent> newestFirst = lost.descendingIterator();
            while (newestFirst.hasNext()) {
                ClientEvent event = newestFirst.next();
                if (event.getType() == ClientEvent.Type.WEBSOCKET_CONNECT && state != State.HANDSHAKING) {
                    continue; // the verdict came: asking again could not change it
                }
                waiting.addFirst(event.toBuilder().clearClient().clearSession().clearSessionVersion().clearAck()
                        .setRedelivered(true));
                handedOn++;
            }
            gateway.handedOn(handedOn);
        }
    }

    private void forgetFlow() {
        sinceMark = 0;
        if (unacked != null) {
            unacked.clear();
        }
        resume(PAUSE_FLOW);
    }

    /** Events sent to the bound worker and not acknowledged yet. Loop. */
    int inFlight() {
        return unacked == null ? 0 : unacked.size();
    }

    private void queue(ClientEvent.Builder event) {
        if (waiting == null) {
            waiting = new ArrayDeque<>();
        }
        if (waiting.size() >= gateway.limits().maxWaitingEventsPerClient() * 4) {
            log.warn("Client {}: {} events wait for a worker of app '{}'; closing it", id(), waiting.size(), app);
            waiting.clear();
            channel.close();
            return;
        }
        waiting.add(event);
        if (waiting.size() == 1) {
            startWaiting();
            if (!movingOff() && (app != null ? gateway.links().pick(app) != null
                    : gateway.links().resolveApp(listener.config().app()) != null)) {
                loop.execute(this::retryWaiting);
            }
        }
        if (waiting.size() >= gateway.limits().maxWaitingEventsPerClient()) {
            pause(PAUSE_NO_WORKER);
        }
    }

    /** Events wait here now: count the client as waiting, and have it woken when the links change. */
    private void startWaiting() {
        if (countedAs == null) {
            countedAs = app == null ? "" : app;
            gateway.links().countWaiting(countedAs, 1);
        }
        gateway.links().await(this);
    }

    /** The worker links changed (or a draining worker finished): send what waits, if a worker takes it now. */
    void retryWaiting() {
        if (waiting == null || waiting.isEmpty() || movingOff()) {
            return;
        }
        WorkerLink target = target();
        if (target == null) {
            gateway.links().await(this);
            if (app != null && gateway.links().pick(app) != null) {
                loop.execute(this::retryWaiting); // a link came while we were parking
            }
            return;
        }
        ClientEvent.Builder event;
        while ((event = waiting.poll()) != null) {
            send(target, event);
        }
        uncountWaiting();
        resume(PAUSE_NO_WORKER);
        releaseIfDone();
    }

    private void uncountWaiting() {
        if (countedAs != null) {
            gateway.links().countWaiting(countedAs, -1);
            countedAs = null;
        }
    }

    /** What a link is told about this client the first time it hears of it (once per link). */
    private ClientInfo info() {
        InetSocketAddress local = channel.localAddress() instanceof InetSocketAddress a ? a : null;
        return ClientInfo.newBuilder()
                .setApp(app)
                .setAccepted(accepted && !givenUp)
                .setListener(listener.name())
                .setProtocol(listener.protocol())
                .setRemoteHost(remoteHost())
                .setRemotePort(remotePort)
                .setLocalHost(local == null ? "" : local.getHostString())
                .setLocalPort(local == null ? 0 : local.getPort())
                .build();
    }

    /** The remote address's host, as text. */
    private String remoteHost() {
        if (channel.remoteAddress() instanceof InetSocketAddress remote) {
            return remote.getAddress() == null ? remote.getHostString() : remote.getAddress().getHostAddress();
        }
        return String.valueOf(channel.remoteAddress());
    }

    // ------------------------------------------------------------------ worker -> client

    /**
     * Writes an encoded message; a flush follows once the loop has run the work queued now. Takes
     * ownership of {@code wire}.
     */
    void write(ByteBuf wire) {
        switch (state) {
            case OPEN -> {
                countOut(wire.readableBytes());
                channel.write(wire, channel.voidPromise());
                if (!dirty) {
                    dirty = true;
                    loopClients.dirty(this);
                }
                // Checked at once, not at the flush: the flush task may wait behind many batches, and the
                // output of every one of them would pile up here meanwhile.
                dropIfTooSlow();
            }
            case HANDSHAKING -> {
                earlyBytes += wire.readableBytes();
                if (earlyBytes > gateway.limits().maxPendingOutputBytes()) {
                    wire.release();
                    log.warn("Client {} dropped: over {} bytes sent to it before its handshake completed",
                            id(), gateway.limits().maxPendingOutputBytes());
                    channel.close();
                    return;
                }
                if (early == null) {
                    early = new ArrayList<>(4);
                }
                early.add(wire);
            }
            default -> wire.release(); // closing or gone: dropped silently
        }
    }

    /** The loop's flush: flush, then drop the client if it leaves too much output unread. */
    void flushBatch() {
        dirty = false;
        channel.flush();
        dropIfTooSlow();
    }

    /**
     * Output written to this client and not yet taken by it (Netty's count: the bytes plus a fixed cost
     * per message). Loop.
     */
    long pendingOutput() {
        ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
        return buffer == null ? 0 : buffer.totalPendingWriteBytes();
    }

    /** Drops the client when its pending output is over the bound: it reads too slowly. Loop. */
    private void dropIfTooSlow() {
        long pending = pendingOutput();
        if (pending > gateway.limits().maxPendingOutputBytes() && state == State.OPEN) {
            drop(pending, "output pending over the limit of " + gateway.limits().maxPendingOutputBytes()
                    + " bytes (limits.output.max-pending-bytes); it reads too slowly");
        }
    }

    /** Drops the client at once, its pending output discarded, with a logged reason. Loop. */
    void drop(long pending, String why) {
        if (state != State.OPEN) {
            return;
        }
        log.warn("Client {} dropped: {} bytes of output pending, {}", id(), pending, why);
        listener.slowDrops.increment();
        state = State.CLOSING;
        channel.close();
    }

    /**
     * Closes the client: at once ({@code immediate}, pending output dropped) or after {@code last} and
     * the messages before it, with a close code and reason.
     */
    void close(ByteBuf last, int code, String reason, boolean immediate) {
        if (state == State.CLOSING || state == State.CLOSED) {
            if (last != null) {
                last.release();
            }
            return;
        }
        if (immediate || protocol == null) {
            if (last != null) {
                last.release();
            }
            state = State.CLOSING;
            channel.close();
            return;
        }
        if (state == State.HANDSHAKING) {
            if (last != null) {
                last.release();
            }
            state = State.CLOSING;
            protocol.refuse(code, reason);
            return;
        }
        state = State.CLOSING;
        if (last != null) {
            countOut(last.readableBytes());
        }
        protocol.close(last, code, reason);
    }

    /**
     * A session write from a worker or push client. Runs on the link's thread, not the client's loop, and
     * takes effect at once: the client's next event sees it.
     */
    void writeSession(SessionWrite write, WorkerLink from) {
        synchronized (this) { // writers of several links (nothing else locks a ClientConnection)
            Session next;
            if (write.getMode() == SessionWrite.Mode.MERGE) {
                next = session.toBuilder().putAllValues(write.getSession().getValuesMap()).build();
            } else {
                next = write.getSession();
            }
            int size = next.getSerializedSize();
            if (size > gateway.limits().maxSessionBytes()) {
                log.warn("Session of client {} not changed: it would be {} bytes (limit {})", id(), size,
                        gateway.limits().maxSessionBytes());
                return;
            }
            long before = sessionVersion;
            session = next;
            sessionVersion = before + 1;
            if (write.getWriteBack() && from == link && before == write.getBaseVersion() && sentSessionVersion == before) {
                // The worker that wrote it already knows this version; don't send it back.
                sentSessionVersion = before + 1;
            }
        }
    }

    // ------------------------------------------------------------------ uid and groups

    /** Binds a uid, replacing the one bound before. Kept across the handshake; indexed once open. */
    void bindUid(String newUid) {
        if (state == State.CLOSING || state == State.CLOSED || newUid.equals(uid)) {
            return;
        }
        String old = uid;
        uid = newUid;
        if (state == State.OPEN) {
            loopClients.uidChanged(this, old);
        }
    }

    /** Unbinds {@code expected} if it is the bound uid; otherwise nothing. */
    void unbindUid(String expected) {
        if (uid == null || !uid.equals(expected) || state == State.CLOSED) {
            return;
        }
        String old = uid;
        uid = null;
        if (state == State.OPEN) {
            loopClients.uidChanged(this, old);
        }
    }

    void joinGroup(String group) {
        if (state == State.CLOSING || state == State.CLOSED || groups.contains(group)) {
            return;
        }
        if (groups.isEmpty()) {
            groups = new LinkedHashSet<>(4);
        }
        groups.add(group);
        if (state == State.OPEN) {
            loopClients.joined(this, group);
        }
    }

    void leaveGroup(String group) {
        if (state == State.CLOSED || !groups.contains(group)) {
            return;
        }
        groups.remove(group);
        if (state == State.OPEN) {
            loopClients.left(this, group);
        }
    }

    /** The group was dissolved: the index entry is already gone. */
    void forgetGroup(String group) {
        groups.remove(group);
    }

    // ------------------------------------------------------------------ reading

    void pause(int reason) {
        boolean wasReading = pauses == 0;
        pauses |= reason;
        if (wasReading) {
            channel.config().setAutoRead(false);
        }
    }

    void resume(int reason) {
        if ((pauses & reason) == 0) {
            return;
        }
        pauses &= ~reason;
        if ((reason & HOLD_INPUT) != 0 && !holdsInput() && protocol != null) {
            protocol.releaseHeld(); // may pause again
        }
        if (pauses == 0) {
            lastActive = clock(); // its silence while paused does not count against it
        }
        if (pauses == 0 && channel.isActive()) {
            channel.config().setAutoRead(true);
        }
    }

    /**
     * Whether the client may send no more events now (out of credit, or at its bound of events in
     * flight): what it already sent is held back by its protocol until then. Loop.
     */
    boolean holdsInput() {
        return (pauses & HOLD_INPUT) != 0;
    }

    // ------------------------------------------------------------------ stats (loop)

    /** A row of {@code connections}; {@code now} is {@link #clock()}. Loop only. */
    GatewayServer.ClientRow row(long now) {
        String host = remoteHost();
        String address = !(channel.remoteAddress() instanceof InetSocketAddress) ? host
                : (host.contains(":") ? "[" + host + "]" : host) + ":" + remotePort;
        return new GatewayServer.ClientRow(id(), address, listener.name(), listener.protocol(), app, uid, List.copyOf(groups),
                session.getSerializedSize(), bytesIn, bytesOut, messagesIn, messagesOut, now - lastActive, state.name());
    }

    int pauses() {
        return pauses;
    }

    int waitingEvents() {
        return waiting == null ? 0 : waiting.size();
    }

    long messagesIn() {
        return messagesIn;
    }

    long messagesOut() {
        return messagesOut;
    }

    long bytesIn() {
        return bytesIn;
    }

    long bytesOut() {
        return bytesOut;
    }

    long connectedAt() {
        return connectedAt;
    }

    /** When the client last showed a sign of life, in {@link #clock()} milliseconds. */
    long lastActive() {
        return lastActive;
    }

    @Override
    public String toString() {
        return id();
    }
}
