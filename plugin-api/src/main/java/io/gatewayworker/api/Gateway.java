package io.gatewayworker.api;

import java.util.Collection;

/**
 * Pushes messages to an app's clients and acts on their connections, with GatewayWorker's names.
 *
 * <p>An app gets its {@code Gateway} from {@link AppContext#gateway()}. It reaches only the app's own
 * clients: those of the listeners that belong to the app, on every gateway of the cluster.
 *
 * <h2>Delivery</h2>
 * Push methods are fire-and-forget: they return once the command is queued for the client's gateway,
 * not when the client has received it. Messages to one client from one callback, timer or thread
 * arrive in the order they were sent. A message to a client that is gone, or unknown, is dropped
 * without an error, as the client may leave at any moment. Text travels as the client's protocol
 * frames text (a WebSocket text frame, a line); {@code byte[]} as it frames binary data.
 *
 * <h2>Threads</h2>
 * Every method may be called from any thread: callbacks, timers, the app's own threads. None of them
 * blocks on the network.
 *
 * <h2>Client ids</h2>
 * A client id is the 20-character string of {@link Client#id()}. A malformed id is refused with a
 * {@link GatewayException}.
 */
public interface Gateway {

    /**
     * Sends a text message to every client of this app.
     *
     * @param message the message
     */
    void sendToAll(String message);

    /**
     * Sends a binary message to every client of this app.
     *
     * @param message the message
     */
    void sendToAll(byte[] message);

    /**
     * Sends a text message to the listed clients, or to every client of this app when
     * {@code clientIds} is {@code null}, leaving out the excluded ones. An empty {@code clientIds} sends
     * nothing. A client listed twice receives the message once.
     *
     * @param message the message
     * @param clientIds the receivers, or {@code null} for every client
     * @param excludeClientIds clients that must not receive it, or {@code null}
     * @throws GatewayException when an id is malformed
     */
    void sendToAll(String message, @Nullable Collection<String> clientIds, @Nullable Collection<String> excludeClientIds);

    /**
     * Sends a binary message to the listed clients, or to every client of this app when
     * {@code clientIds} is {@code null}, leaving out the excluded ones.
     *
     * @param message the message
     * @param clientIds the receivers, or {@code null} for every client
     * @param excludeClientIds clients that must not receive it, or {@code null}
     * @throws GatewayException when an id is malformed
     */
    void sendToAll(byte[] message, @Nullable Collection<String> clientIds, @Nullable Collection<String> excludeClientIds);

    /**
     * Sends a text message to one client.
     *
     * @param clientId the receiver
     * @param message the message
     * @throws GatewayException when the id is malformed
     */
    void sendToClient(String clientId, String message);

    /**
     * Sends a binary message to one client.
     *
     * @param clientId the receiver
     * @param message the message
     * @throws GatewayException when the id is malformed
     */
    void sendToClient(String clientId, byte[] message);

    /**
     * Closes a client's connection after the messages already sent to it; it receives a normal close
     * (WebSocket code 1000) and {@link Events#onClose(Client)} follows.
     *
     * @param clientId the client
     * @throws GatewayException when the id is malformed
     */
    void closeClient(String clientId);

    /**
     * Sends a last text message to a client, then closes its connection as {@link #closeClient(String)}
     * does.
     *
     * @param clientId the client
     * @param message the last message
     * @throws GatewayException when the id is malformed
     */
    void closeClient(String clientId, String message);
}
