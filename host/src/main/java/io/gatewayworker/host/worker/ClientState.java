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
 * events of a client on their way here, and learns that they are done from the acknowledgement of each
 * event it marked ({@link GatewayLink#acked}), sent when that event has been handled.
 *
 * <p>Thread-safe hand-off: {@link #enqueue} runs on the link's loop; everything else runs on the
 * mailbox's current virtual thread, one at a time.
 */
final class ClientState implements Runnable {

    private final Dispatcher dispatcher;
    private final GatewayLink link;
    private final int connection;
    private final ConcurrentLinkedQueue<ClientEvent> queue = new ConcurrentLinkedQueue<>();
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

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            SIZE = lookup.findVarHandle(ClientState.class, "size", int.class);
            SCHEDULED = lookup.findVarHandle(ClientState.class, "scheduled", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    ClientState(Dispatcher dispatcher, GatewayLink link, int connection, ClientInfo info) {
        this.dispatcher = dispatcher;
        this.link = link;
        this.connection = connection;
        this.info = info;
    }

    /** Link loop. */
    void enqueue(ClientEvent event) {
        queue.offer(event);
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
            ClientEvent event = queue.poll();
            if (event == null) {
                scheduled = false;
                if (queue.isEmpty() || !SCHEDULED.compareAndSet(this, false, true)) {
                    return;
                }
                continue;
            }
            Thread.interrupted(); // an interrupt left by one callback must not reach the next
            try {
                dispatcher.handle(this, event);
            } catch (Throwable t) {
                // The dispatcher contains app failures; this is a host bug. The mailbox must go on.
                org.slf4j.LoggerFactory.getLogger(ClientState.class)
                        .error("Handling {} of client {} failed; going on with its next event", event.getType(), id(), t);
            } finally {
                SIZE.getAndAdd(this, -1);
                if (event.getAck()) {
                    link.acked(connection, event.getApp());
                }
                link.finished(event.getApp());
            }
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

    GatewayLink link() {
        return link;
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
