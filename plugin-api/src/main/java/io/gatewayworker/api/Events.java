package io.gatewayworker.api;

import org.pf4j.ExtensionPoint;

/**
 * The business code of an app: the callbacks the server calls when something happens to a client.
 *
 * <p>Implement this interface in a class annotated with {@code @org.pf4j.Extension}; an app has exactly
 * one such class. Only {@link #onMessage(Client, String)} must be implemented; the other callbacks do
 * nothing by default.
 *
 * <h2>Order of callbacks</h2>
 * <pre>
 *  onWorkerStart ─┬─► for each client:  [onWebSocketConnect] ─► onConnect ─► onMessage* ─► onClose
 *                 └─► onWorkerStop (after the last callback of this version of the app)
 * </pre>
 * {@code onWebSocketConnect} runs for WebSocket clients only, before the handshake completes, and may
 * refuse the client; a refused client never gets {@code onConnect}, {@code onMessage} or
 * {@code onClose}. Every accepted client gets exactly one {@code onClose}, also when the server stops.
 *
 * <h2>Threads</h2>
 * Every callback runs on a virtual thread, never on a network thread, with this app's class loader
 * as the thread's context class loader. The callbacks of one client run one at a time, in the order
 * of the client's events. Callbacks of different clients run concurrently, so this object's state must
 * be thread-safe. A callback may block; that delays only its own client.
 *
 * <h2>Errors</h2>
 * An exception thrown by a callback is logged with the app and the client id; the client stays
 * connected and its next event is delivered as usual. An exception from
 * {@link #onWebSocketConnect(Client, Handshake)} refuses the client (close code 1011), and one from
 * {@link #onWorkerStart(AppContext)} stops the app from starting.
 */
public interface Events extends ExtensionPoint {

    /**
     * Called once when this version of the app starts, before any client event reaches it. Keep the
     * {@link AppContext#gateway() gateway} here for later callbacks, start timers, open pools.
     *
     * <p>Runs on a virtual thread. If it throws, the app does not start (and the version it was meant to
     * replace, if any, keeps serving).
     *
     * @param context this app's gateway, identity and settings
     */
    default void onWorkerStart(AppContext context) {
    }

    /**
     * Called when a WebSocket client sends its upgrade request, before the handshake completes: the
     * place to check a token in the path, query or headers. Call {@link Handshake#refuse(int, String)}
     * to turn the client away; otherwise it is accepted when this method returns, and
     * {@link #onConnect(Client)} follows.
     *
     * <p>The client's {@link Client#session() session} may be filled here (a user id taken from the
     * token, say); it is kept if the client is accepted. Messages sent to this client from here are
     * delivered after the handshake completes.
     *
     * @param client the client asking to connect; it is not connected yet
     * @param handshake the upgrade request
     */
    default void onWebSocketConnect(Client client, Handshake handshake) {
    }

    /**
     * Called when a client is connected and accepted: for WebSocket clients after the handshake.
     *
     * @param client the new client
     */
    default void onConnect(Client client) {
    }

    /**
     * Called for each text message of a client, in the order the client sent them.
     *
     * @param client the sender
     * @param message the message, as decoded by the client's protocol (a WebSocket text frame, a line)
     */
    void onMessage(Client client, String message);

    /**
     * Called for each binary message of a client (a WebSocket binary frame). The default implementation
     * throws {@link UnsupportedOperationException}, which is logged; override it to take binary data.
     *
     * @param client the sender
     * @param message the message bytes; the array belongs to the callee
     */
    default void onMessage(Client client, byte[] message) {
        throw new UnsupportedOperationException(
                "a binary message of " + message.length + " bytes arrived; override onMessage(Client, byte[]) to take it");
    }

    /**
     * Called once when an accepted client's connection is gone: it closed, it was closed by the app, it
     * broke a limit, or the server is stopping. Messages sent to this client from here are dropped.
     * The client's session is the latest one.
     *
     * @param client the client that left
     */
    default void onClose(Client client) {
    }

    /**
     * Called once when this version of the app stops (server stop, reload, removal), after its last
     * client callback has returned. Timers made through {@link AppContext#timers()} are cancelled right
     * after this method returns.
     *
     * @param context the same context {@link #onWorkerStart(AppContext)} received
     */
    default void onWorkerStop(AppContext context) {
    }
}
