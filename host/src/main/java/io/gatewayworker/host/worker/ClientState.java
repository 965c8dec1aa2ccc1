package io.gatewayworker.host.worker;

import io.gatewayworker.proto.link.v1.ClientEvent;
import io.gatewayworker.proto.link.v1.ClientInfo;
import io.gatewayworker.proto.link.v1.Session;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One client as a worker knows it, and its mailbox: the client's events wait here in arrival order and
 * are handled one at a time on a virtual thread. The mailbox occupies a thread only while it has
 * events.
 *
 * <p>When more than {@code high} events wait, the worker asks the gateway to pause reading from this
 * client, and to resume once half of them are handled. The decision and its message are made under one
 * lock: the link loop pauses and a virtual thread resumes, and the gateway must get them in the order
 * they were decided, or a client could stay paused.
 *
 * <p>Thread-safe hand-off: {@link #enqueue} runs on the link's loop; everything else runs on the
 * mailbox's current virtual thread, one at a time.
 */
final class ClientState implements Runnable {

    private final Dispatcher dispatcher;
    private final GatewayLink link;
    private final int connection;
    private final String id;
    private final ConcurrentLinkedQueue<ClientEvent> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    /** Guards {@link #paused} together with sending the flow message, so messages keep the order of the changes. */
    private final ReentrantLock flow = new ReentrantLock();
    private boolean paused;
    private final int high;

    // Mailbox thread only (events run one at a time; hand-offs through the queue order them).
    private volatile ClientInfo info;
    private Session session = Session.getDefaultInstance();
    private long sessionVersion = -1;
    private boolean accepted;

    ClientState(Dispatcher dispatcher, GatewayLink link, int connection, String id, ClientInfo info, int high) {
        this.dispatcher = dispatcher;
        this.link = link;
        this.connection = connection;
        this.id = id;
        this.info = info;
        this.high = high;
    }

    /** Link loop. */
    void enqueue(ClientEvent event) {
        queue.offer(event);
        if (size.incrementAndGet() >= high) {
            flow.lock();
            try {
                if (!paused && size.get() >= high) {
                    paused = true;
                    link.flow(connection, true);
                }
            } finally {
                flow.unlock();
            }
        }
        if (scheduled.compareAndSet(false, true)) {
            dispatcher.schedule(this);
        }
    }

    @Override
    public void run() {
        for (;;) {
            ClientEvent event = queue.poll();
            if (event == null) {
                scheduled.set(false);
                if (queue.isEmpty() || !scheduled.compareAndSet(false, true)) {
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
                        .error("Handling {} of client {} failed; going on with its next event", event.getType(), id, t);
            } finally {
                int left = size.decrementAndGet();
                if (left <= high / 2) {
                    resumeIfPaused();
                }
                link.finished();
            }
        }
    }

    private void resumeIfPaused() {
        flow.lock();
        try {
            if (paused && size.get() <= high / 2) {
                paused = false;
                link.flow(connection, false);
            }
        } finally {
            flow.unlock();
        }
    }

    int queued() {
        return size.get();
    }

    boolean flowPaused() {
        return paused;
    }

    GatewayLink link() {
        return link;
    }

    int connection() {
        return connection;
    }

    String id() {
        return id;
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
