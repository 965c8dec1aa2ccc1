package io.gatewayworker.api;

/**
 * The client an event is about, as the callback sees it.
 *
 * <p>A {@code Client} is valid for the callback it was given to: keep its {@link #id()} (a
 * {@code String}) to reach the client later, not the object.
 */
public interface Client {

    /**
     * The client id: 20 lowercase hex characters that name the gateway holding the connection and the
     * connection on it. Unique among the clients of a cluster, also across gateway restarts.
     *
     * @return the client id
     */
    String id();

    /**
     * The client's IP address as the gateway saw it, IPv4 or IPv6 in text form.
     *
     * @return the remote host
     */
    String remoteHost();

    /**
     * The client's port as the gateway saw it.
     *
     * @return the remote port
     */
    int remotePort();

    /**
     * The name of the listener the client connected to, such as {@code ws://127.0.0.1:7272}.
     *
     * @return the listener name
     */
    String listener();

    /**
     * The wire protocol of the client's listener: {@code websocket}, {@code text}, {@code frame}, or the
     * name of an app's own protocol.
     *
     * @return the protocol name
     */
    String protocol();

    /**
     * The client's session. Changes made during a callback are written back to the gateway when the
     * callback returns, and the next callback of this client sees them. Changes made during
     * {@link Events#onClose(Client)} are not kept.
     *
     * @return the session; never {@code null}, possibly empty
     */
    Session session();

    /**
     * Whether this event may have reached the app before. In a cluster, a worker process can die (or be cut
     * off) after it received a client's event and before it told the gateway the event was handled; the
     * gateway then hands the event, in order, to another worker, with this flag set. The app may or may not
     * have handled it the first time: delivery is at least once. An app for which a repeat matters (a
     * payment, a counter) checks this flag, or better makes the action idempotent, for example with an id
     * the client puts in each message. Always {@code false} in the embedded mode, where workers do not
     * come and go under a gateway.
     *
     * @return true when the event is handed again after its first worker went away
     */
    default boolean redelivered() {
        return false;
    }
}
