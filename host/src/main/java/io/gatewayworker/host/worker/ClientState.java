package io.gatewayworker.host.worker;

import io.gatewayworker.host.app.AppRuntime;
import io.gatewayworker.host.link.ClientId;
import io.gatewayworker.proto.link.v1.ClientEvent;
import io.gatewayworker.proto.link.v1.ClientInfo;
import io.gatewayworker.proto.link.v1.Session;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * One client as a worker knows it, and its mailbox: the client's events wait here in arrival order and
 * are handled one at a time on a virtual thread. The mailbox occupies a thread only while it has
 * events.
 *
 * <p>The mailbox needs no bound of its own: the gateway keeps at most {@code limits.client.in-flight}
 * events of a client on their way here, and learns that they are done from acknowledgements: at once for
 * each event it marked ({@link GatewayLink#acked}), and shortly after the mailbox ran dry for the rest
 * ({@link GatewayLink#idle}). Each says how many of the client's events were handled since the last one.
 *
 * <p><b>Links.</b> A client belongs to its gateway ({@link GatewayPeer}); its events come over the link
 * open at the time. When a link comes back after a break, {@link #switchTo} puts a marker in the mailbox:
 * events before it are acknowledged on the old link (which is gone), events after it on the new one.
 *
 * <p>Thread-safe hand-off: {@link #enqueue} runs on the link's loop; everything else runs on the
 * mailbox's current virtual thread, one at a time. The acknowledgement count is shared with the link's
 * flush and guarded by this object's monitor.
 */
final class ClientState implements Runnable {

    private final Dispatcher dispatcher;
    private final GatewayPeer peer;
    /** The link the events being handled came over (mailbox thread; the flush reads it under the monitor). */
    private GatewayLink link;
    private final int connection;
    /** ClientEvents, and LinkSwitch markers. */
    private final ConcurrentLinkedQueue<Object> queue = new ConcurrentLinkedQueue<>();
    /** Events handled and not yet acknowledged to {@link #link}; guarded by this. */
    private int unacked;
    /** Whether the link's idle flush will look at this client. */
    private volatile boolean idleQueued;
    // One of these per client: plain fields updated through VarHandles and the monitor of this object
    // keep it small (no atomic or lock objects beside it); the id text is formatted when asked for.
    private volatile int size;
    private volatile boolean scheduled;

    /** The app version whose threads run this mailbox now (null: none runs here). */
    private volatile AppRuntime runsOn;
    /** When the running callback started ({@link System#nanoTime()}), 0 when none runs; read by the budget watch. */
    private volatile long callbackSince;
    private volatile String callbackName;
    private volatile Thread callbackThread;

    // Mailbox thread only (events run one at a time; hand-offs through the queue order them).
    private volatile ClientInfo info;
    private Session session = Session.getDefaultInstance();
    private long sessionVersion = -1;
    private boolean accepted;

    private static final VarHandle SIZE;
    private static final VarHandle SCHEDULED;
    private static final VarHandle IDLE_QUEUED;

    /** In the mailbox: events after this come over {@code link}. */
    private record LinkSwitch(GatewayLink link) {
    }

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            SIZE = lookup.findVarHandle(ClientState.class, "size", int.class);
            SCHEDULED = lookup.findVarHandle(ClientState.class, "scheduled", boolean.class);
            IDLE_QUEUED = lookup.findVarHandle(ClientState.class, "idleQueued", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    ClientState(Dispatcher dispatcher, GatewayLink link, int connection, ClientInfo info) {
        this.dispatcher = dispatcher;
        this.link = link;
        this.peer = link.peer();
        this.connection = connection;
        this.info = info;
        this.accepted = info.getAccepted(); // onConnect ran on a worker this client had before
    }

    /** Link loop. */
    void enqueue(ClientEvent event) {
        offer(event);
    }

    /** Events after this point come over {@code next} (a link that came back). Link loop. */
    void switchTo(GatewayLink next) {
        offer(new LinkSwitch(next));
    }

    /** The lease ended, or the gateway restarted: onClose (by {@code close}) after what is queued. Any thread. */
    void expire(ClientEvent close) {
        GatewayLink current = peer.link();
        if (current != null) {
            current.received();
        }
        offer(close);
    }

    private void offer(Object item) {
        queue.offer(item);
        SIZE.getAndAdd(this, 1);
        if (SCHEDULED.compareAndSet(this, false, true)) {
            dispatcher.schedule(this);
        }
    }

    @Override
    public void run() {
        for (;;) {
            if (dispatcher.moved(this)) {
                dispatcher.schedule(this); // on to the new version's threads; 'scheduled' stays set
                return;
            }
            Object item = queue.poll();
            if (item == null) {
                idle();
                scheduled = false;
                if (queue.isEmpty() || !SCHEDULED.compareAndSet(this, false, true)) {
                    return;
                }
                continue;
            }
            if (item instanceof LinkSwitch change) {
                SIZE.getAndAdd(this, -1);
                synchronized (this) {
                    link = change.link();
                    unacked = 0; // what was not acknowledged on the old link, the gateway hands on anyway
                }
                continue;
            }
            ClientEvent event = (ClientEvent) item;
            Thread.interrupted(); // an interrupt left by one callback must not reach the next
            GatewayLink from = link;
            try {
                dispatcher.handle(this, event);
            } catch (Throwable t) {
                // The dispatcher contains app failures; this is a host bug. The mailbox must go on.
                org.slf4j.LoggerFactory.getLogger(ClientState.class)
                        .error("Handling {} of client {} failed; going on with its next event", event.getType(), id(), t);
            } finally {
                SIZE.getAndAdd(this, -1);
                int ack;
                synchronized (this) {
                    unacked++;
                    ack = event.getAck() ? unacked : 0;
                    if (ack > 0) {
                        unacked = 0;
                    }
                }
                if (ack > 0) {
                    from.acked(connection, event.getApp(), ack);
                }
                from.finished(event.getApp());
            }
        }
    }

    /** The mailbox ran dry: have the link acknowledge what was handled since the last acknowledgement, soon. */
    private void idle() {
        GatewayLink current;
        synchronized (this) {
            if (unacked == 0) {
                return;
            }
            current = link;
        }
        if (IDLE_QUEUED.compareAndSet(this, false, true)) {
            current.idle(this);
        }
    }

    /**
     * For the idle flush of {@code flushing}: the events handled since the last acknowledgement, now
     * acknowledged (0 when none, or when this client's events come over another link now). Link loop.
     */
    int takeUnacked(GatewayLink flushing) {
        idleQueued = false; // first: a handled event after this point queues the client again
        synchronized (this) {
            if (link != flushing) {
                return 0;
            }
            int n = unacked;
            unacked = 0;
            return n;
        }
    }

    void runsOn(AppRuntime app) {
        runsOn = app;
    }

    AppRuntime runsOn() {
        return runsOn;
    }

    /** A callback starts on the mailbox thread. */
    void callbackStarted(String name) {
        callbackName = name;
        callbackThread = Thread.currentThread();
        callbackSince = System.nanoTime();
    }

    void callbackEnded() {
        callbackSince = 0;
        callbackThread = null;
    }

    /** When the running callback started, 0 when none runs. Any thread. */
    long callbackSince() {
        return callbackSince;
    }

    String callbackName() {
        return callbackName;
    }

    /** The thread of the running callback, or null. Any thread. */
    Thread callbackThread() {
        return callbackThread;
    }

    /** Events waiting or running. Any thread. */
    int queued() {
        return size;
    }

    /**
     * Whether the mailbox has events but no thread to run them: a missed wake-up if it lasts. Any
     * thread (approximate).
     */
    boolean stranded() {
        return size > 0 && !scheduled && !queue.isEmpty();
    }

    /** The link the current event came over. Mailbox thread. */
    GatewayLink link() {
        return link;
    }

    GatewayPeer peer() {
        return peer;
    }

    int connection() {
        return connection;
    }

    /** The client id (formatted on each call). */
    String id() {
        return ClientId.format(link.address().ipv4(), link.address().port(), connection);
    }

    ClientInfo info() {
        return info;
    }

    void info(ClientInfo info) {
        this.info = info;
    }

    /** Takes the session an event brings, if it is newer than the one known here. Mailbox thread. */
    void sessionFrom(ClientEvent event) {
        if (event.hasSession() && event.getSessionVersion() > sessionVersion) {
            session = event.getSession();
            sessionVersion = event.getSessionVersion();
        }
    }

    Session session() {
        return session;
    }

    long sessionVersion() {
        return sessionVersion;
    }

    /** The callback changed the session, and this worker wrote it back. */
    void sessionWritten(Session session, long version) {
        this.session = session;
        this.sessionVersion = version;
    }

    boolean accepted() {
        return accepted;
    }

    void accepted(boolean accepted) {
        this.accepted = accepted;
    }
}
