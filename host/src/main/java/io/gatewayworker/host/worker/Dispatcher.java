package io.gatewayworker.host.worker;

import io.gatewayworker.api.Events;
import io.gatewayworker.api.GatewayException;
import io.gatewayworker.host.app.AppManager;
import io.gatewayworker.host.app.AppRuntime;
import io.gatewayworker.host.app.AppSlot;
import io.gatewayworker.host.config.Limits;
import io.gatewayworker.proto.link.v1.ClientEvent;
import io.gatewayworker.proto.link.v1.Command;
import io.gatewayworker.proto.link.v1.Session;
import io.gatewayworker.proto.link.v1.SessionWrite;
import io.gatewayworker.proto.link.v1.Verdict;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers client events to the apps' callbacks. Each client has a mailbox ({@link ClientState}) that
 * runs on a virtual thread: one client's events in order, one at a time; different clients at once.
 * Each callback passes through its app's {@link AppSlot}, which holds it back while the app is being
 * reloaded (the mailbox waits, in order) and hands it the version that runs.
 * Around each callback the app's class loader is the context class loader; after it, a changed session
 * is written back to the client's gateway, then the event's credit is returned.
 *
 * <p>An exception from a callback is logged with the app, the callback and the client id, and counted;
 * the client stays connected. One from {@code onWebSocketConnect} refuses the client with 1011.
 *
 * <p><b>Threads.</b> {@link #onEvent} runs on link loops and only enqueues; {@link #handle} runs on
 * virtual threads.
 */
final class Dispatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

    private final AppManager apps;
    private final Limits limits;
    /** Mailboxes of clients whose app is not running here (to refuse or forget them) run on these. */
    private final ThreadFactory noApp = Thread.ofVirtual().name("app-none").factory();
    private final AtomicInteger running = new AtomicInteger();
    private final Set<String> missingApps = ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.atomic.LongAdder redelivered = new java.util.concurrent.atomic.LongAdder();

    Dispatcher(AppManager apps, Limits limits) {
        this.apps = apps;
        this.limits = limits;
    }

    /** An event arrived from a gateway. Link loop; never blocks. */
    void onEvent(GatewayLink link, ClientEvent event) {
        link.received();
        int connection = event.getConnection();
        GatewayPeer peer = link.peer();
        ClientState state = peer.clients().get(connection);
        if (state == null) {
            if (!event.hasClient() || peer.givenUp(connection)) {
                // A client this worker no longer knows (refused, or closed after a refusal), or one whose
                // onClose ran when a lease ended (the gateway closes it): nothing to do.
                if (event.getType() != ClientEvent.Type.CLOSE) {
                    log.debug("Dropping {} for unknown client {} of {}", event.getType(), connection, link);
                }
                link.dropped(connection);
                link.finished(event.getApp());
                return;
            }
            state = new ClientState(this, link, connection, event.getClient());
            peer.clients().put(connection, state);
        } else if (event.hasClient()) {
            state.info(event.getClient());
        }
        if (event.getRedelivered()) {
            redelivered.increment();
        }
        state.enqueue(event);
    }

    /** Events handed to this worker again after the worker that had them went away, since start. */
    long redelivered() {
        return redelivered.sum();
    }

    /**
     * Runs a mailbox on a virtual thread of its app's running version (on that version's carriers, see
     * {@code AppScheduler}). Any thread.
     */
    void schedule(ClientState state) {
        running.incrementAndGet();
        Runnable run = () -> {
            try {
                state.run();
            } finally {
                running.decrementAndGet();
            }
        };
        AppRuntime app = runningVersion(state);
        state.runsOn(app);
        if (app != null) {
            app.start(run);
        } else {
            noApp.newThread(run).start();
        }
    }

    /**
     * Whether the mailbox runs on a version that is no longer the app's running one (a reload happened
     * meanwhile): it then moves to a thread of the new version, so old carriers can retire.
     */
    boolean moved(ClientState state) {
        AppRuntime now = runningVersion(state);
        return now != null && now != state.runsOn();
    }

    private AppRuntime runningVersion(ClientState state) {
        AppSlot slot = apps.slot(state.info().getApp());
        return slot == null ? null : slot.current();
    }

    /** Handles one event of a client. Mailbox (virtual) thread. */
    void handle(ClientState state, ClientEvent event) {
        state.sessionFrom(event);
        String appId = state.info().getApp();
        AppSlot slot = apps.slot(appId);
        AppRuntime app = slot == null ? null : slot.enter(); // waits while the app is being reloaded
        if (app == null) {
            noApp(state, event, appId);
            return;
        }
        try {
            handle(app, state, event);
        } finally {
            slot.exit();
        }
    }

    private void handle(AppRuntime app, ClientState state, ClientEvent event) {
        ClientView client = new ClientView(state.id(), state.info(), state.session(), event.getRedelivered());
        Events events = app.events();
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(app.classLoader());
        ClientView.CURRENT.set(client);
        state.callbackStarted(callbackName(event));
        boolean failed = false;
        try {
            switch (event.getType()) {
                case WEBSOCKET_CONNECT -> {
                    HandshakeView handshake = new HandshakeView(event.getHandshake());
                    try {
                        events.onWebSocketConnect(client, handshake);
                    } catch (Throwable t) {
                        failed = true;
                        handshake.refuseAfterError();
                        log.error("App {} {}: onWebSocketConnect threw for client {}; refusing it (1011)",
                                app.id(), app.version(), state.id(), t);
                    }
                    try {
                        if (!handshake.refused()) {
                            writeBack(app, state, client);
                        }
                    } finally {
                        verdict(app, state, handshake); // the gateway waits for it, whatever happened
                    }
                }
                case CONNECT -> {
                    state.accepted(true);
                    events.onConnect(client);
                }
                case MESSAGE -> {
                    if (event.hasBinary()) {
                        events.onMessage(client, event.getBinary().toByteArray());
                    } else {
                        events.onMessage(client, event.getText());
                    }
                }
                case CLOSE -> {
                    state.peer().clients().remove(state.connection(), state);
                    if (state.accepted()) {
                        events.onClose(client);
                    }
                }
                default -> log.warn("Ignoring event of unknown type {} for client {}", event.getType(), state.id());
            }
        } catch (Throwable t) {
            failed = true;
            log.error("App {} {}: {} threw for client {}", app.id(), app.version(), callbackName(event), state.id(), t);
        } finally {
            state.callbackEnded();
            ClientView.CURRENT.remove();
            thread.setContextClassLoader(previous);
        }
        if (event.getType() == ClientEvent.Type.CONNECT || event.getType() == ClientEvent.Type.MESSAGE) {
            writeBack(app, state, client);
        }
        app.recordEvent(failed);
    }

    /** Writes a changed session back to the client's gateway. Mailbox thread. */
    private void writeBack(AppRuntime app, ClientState state, ClientView client) {
        Session changed;
        try {
            changed = client.changedSession();
        } catch (GatewayException e) {
            log.error("App {} {}: session of client {} not saved: {}", app.id(), app.version(), state.id(), e.getMessage());
            return;
        } catch (RuntimeException e) {
            // e.g. the app changed the session map from another thread meanwhile
            log.error("App {} {}: session of client {} not saved: {}", app.id(), app.version(), state.id(), e.toString());
            return;
        }
        if (changed == null) {
            return;
        }
        int size = changed.getSerializedSize();
        if (size > limits.maxSessionBytes()) {
            log.error("App {} {}: session of client {} not saved: {} bytes encoded (limit {})", app.id(), app.version(),
                    state.id(), size, limits.maxSessionBytes());
            return;
        }
        long base = state.sessionVersion();
        state.link().command(Command.newBuilder().setApp(app.id()).setSessionWrite(SessionWrite.newBuilder()
                .setConnection(state.connection())
                .setMode(SessionWrite.Mode.REPLACE)
                .setSession(changed)
                .setBaseVersion(base)
                .setWriteBack(true)).build());
        state.sessionWritten(changed, base + 1);
    }

    private void verdict(AppRuntime app, ClientState state, HandshakeView handshake) {
        Verdict.Builder verdict = Verdict.newBuilder().setConnection(state.connection()).setAccept(!handshake.refused());
        if (handshake.refused()) {
            verdict.setCode(handshake.code()).setReason(handshake.reason());
            state.peer().clients().remove(state.connection(), state);
        }
        state.link().command(Command.newBuilder().setApp(app.id()).setVerdict(verdict).build());
    }

    private void noApp(ClientState state, ClientEvent event, String appId) {
        if (missingApps.add(appId)) {
            log.error("Events for app '{}' arrived, but it is not running on this worker", appId);
        }
        if (event.getType() == ClientEvent.Type.WEBSOCKET_CONNECT) {
            state.peer().clients().remove(state.connection(), state);
            state.link().command(Command.newBuilder().setApp(appId).setVerdict(Verdict.newBuilder()
                    .setConnection(state.connection()).setAccept(false).setCode(1013).setReason("app not running")).build());
        } else if (event.getType() == ClientEvent.Type.CLOSE) {
            state.peer().clients().remove(state.connection(), state);
        }
    }

    static String callbackName(ClientEvent event) {
        return switch (event.getType()) {
            case WEBSOCKET_CONNECT -> "onWebSocketConnect";
            case CONNECT -> "onConnect";
            case MESSAGE -> "onMessage";
            case CLOSE -> "onClose";
            default -> "a callback";
        };
    }

    /**
     * Waits (at most 1 s) for the mailboxes still running: at this point the apps are stopped, and what
     * runs still is stuck in a callback that Java cannot stop.
     */
    @Override
    public void close() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (running.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (running.get() > 0) {
            log.warn("{} client mailbox(es) still running at shutdown (callbacks that do not return)", running.get());
        }
    }
}
