package io.gatewayworker.api;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Pushes messages to an app's clients, groups them, binds them to user ids, keeps their sessions, and
 * answers questions about them, with GatewayWorker's names.
 *
 * <p>An app gets its {@code Gateway} from {@link AppContext#gateway()}. It reaches only the app's own
 * clients: those of the listeners that belong to the app, on every gateway of the cluster. Uids and
 * groups are the app's own too.
 *
 * <h2>Push: fire-and-forget</h2>
 * Methods that send, close, bind, join or write sessions return once the command is queued for the
 * gateway(s) concerned, not when it has been carried out. Commands from one thread to one client are
 * carried out in the order they were made. A command for a client that is gone, or unknown, is dropped
 * without an error, since a client may leave at any moment. Text travels as the client's protocol
 * frames text (a WebSocket text frame, a line); {@code byte[]} as it frames binary data.
 *
 * <h2>Queries: blocking, bounded</h2>
 * Methods that answer ({@code isOnline}, {@code getSession}, {@code getAll...}) ask every gateway
 * concerned and wait for all of them, at most five seconds. When a gateway does not answer in time, or
 * goes away meanwhile, they throw a {@link GatewayException} that names it: an answer is never silently
 * partial. Callbacks run on virtual threads, so waiting is cheap. Results are snapshots: a client may
 * connect or leave a moment later.
 *
 * <h2>Uids and groups</h2>
 * A connection has at most one uid; a new {@link #bindUid} replaces the old one. A uid may be bound to
 * many connections (a user on a phone and a laptop). A connection may be in any number of groups.
 * Both are forgotten when the connection closes. An empty or null uid or group is refused with a
 * {@link GatewayException}.
 *
 * <h2>Threads</h2>
 * Every method may be called from any thread: callbacks, timers, the app's own threads. Push methods
 * never block on the network, but the calling thread waits (bounded) while the link to a gateway is
 * congested.
 *
 * <h2>Client ids</h2>
 * A client id is the 20-character string of {@link Client#id()}. A malformed id is refused with a
 * {@link GatewayException}.
 */
public interface Gateway {

    // ------------------------------------------------------------------ push to clients

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

    /**
     * Closes a client's connection at once, dropping output not yet written to it (GatewayWorker's
     * {@code destoryClient}). {@link Events#onClose(Client)} follows.
     *
     * @param clientId the client
     * @throws GatewayException when the id is malformed
     */
    void destroyClient(String clientId);

    // ------------------------------------------------------------------ uids

    /**
     * Binds a client to a user id, replacing the uid it had.
     *
     * @param clientId the client
     * @param uid the user id
     * @throws GatewayException when the id is malformed or the uid empty
     */
    void bindUid(String clientId, String uid);

    /**
     * Unbinds a client from {@code uid}. Nothing happens when the client is bound to another uid (unlike
     * GatewayWorker, which unbinds whatever uid the client has).
     *
     * @param clientId the client
     * @param uid the user id it should be bound to now
     * @throws GatewayException when the id is malformed or the uid empty
     */
    void unbindUid(String clientId, String uid);

    /**
     * Sends a text message to every connection bound to {@code uid}.
     *
     * @param uid the user id
     * @param message the message
     * @throws GatewayException when the uid is empty
     */
    void sendToUid(String uid, String message);

    /**
     * Sends a binary message to every connection bound to {@code uid}.
     *
     * @param uid the user id
     * @param message the message
     * @throws GatewayException when the uid is empty
     */
    void sendToUid(String uid, byte[] message);

    /**
     * Sends a text message to every connection bound to one of {@code uids}; each connection receives it
     * once.
     *
     * @param uids the user ids
     * @param message the message
     * @throws GatewayException when a uid is empty
     */
    void sendToUid(Collection<String> uids, String message);

    /**
     * Sends a binary message to every connection bound to one of {@code uids}; each connection receives
     * it once.
     *
     * @param uids the user ids
     * @param message the message
     * @throws GatewayException when a uid is empty
     */
    void sendToUid(Collection<String> uids, byte[] message);

    // ------------------------------------------------------------------ groups

    /**
     * Adds a client to a group.
     *
     * @param clientId the client
     * @param group the group
     * @throws GatewayException when the id is malformed or the group empty
     */
    void joinGroup(String clientId, String group);

    /**
     * Removes a client from a group.
     *
     * @param clientId the client
     * @param group the group
     * @throws GatewayException when the id is malformed or the group empty
     */
    void leaveGroup(String clientId, String group);

    /**
     * Dissolves a group: every member leaves it. The connections stay open.
     *
     * @param group the group
     * @throws GatewayException when the group is empty
     */
    void ungroup(String group);

    /**
     * Sends a text message to every member of a group.
     *
     * @param group the group
     * @param message the message
     * @throws GatewayException when the group is empty
     */
    void sendToGroup(String group, String message);

    /**
     * Sends a binary message to every member of a group.
     *
     * @param group the group
     * @param message the message
     * @throws GatewayException when the group is empty
     */
    void sendToGroup(String group, byte[] message);

    /**
     * Sends a text message to the members of any of {@code groups}, leaving out the excluded clients. A
     * client in several of the groups receives it once (GatewayWorker sent it once per group).
     *
     * @param groups the groups
     * @param message the message
     * @param excludeClientIds clients that must not receive it, or {@code null}
     * @throws GatewayException when a group is empty or an id malformed
     */
    void sendToGroup(Collection<String> groups, String message, @Nullable Collection<String> excludeClientIds);

    /**
     * Sends a binary message to the members of any of {@code groups}, leaving out the excluded clients;
     * each receives it once.
     *
     * @param groups the groups
     * @param message the message
     * @param excludeClientIds clients that must not receive it, or {@code null}
     * @throws GatewayException when a group is empty or an id malformed
     */
    void sendToGroup(Collection<String> groups, byte[] message, @Nullable Collection<String> excludeClientIds);

    // ------------------------------------------------------------------ sessions

    /**
     * Replaces a client's session. Values follow the rules of {@link Session}. Called for the client of
     * the running callback, it replaces that callback's {@link Client#session()} as well.
     *
     * @param clientId the client
     * @param session the new session
     * @throws GatewayException when the id is malformed, a value has an unsupported type, or the
     *         session is over its size limit
     */
    void setSession(String clientId, Map<String, ?> session);

    /**
     * Puts the given keys into a client's session, keeping the others. Called for the client of the
     * running callback, it updates that callback's {@link Client#session()} as well.
     *
     * @param clientId the client
     * @param values the keys to put
     * @throws GatewayException as {@link #setSession(String, Map)}
     */
    void updateSession(String clientId, Map<String, ?> values);

    /**
     * A client's session: a copy, as its gateway has it (for the client of the running callback, as
     * that callback has it now).
     *
     * @param clientId the client
     * @return a mutable copy, empty when the session is empty; {@code null} when the client is not
     *         online
     * @throws GatewayException when the id is malformed or a gateway does not answer
     */
    @Nullable
    Map<String, Object> getSession(String clientId);

    // ------------------------------------------------------------------ queries

    /**
     * Whether a client is connected.
     *
     * @param clientId the client
     * @return true when its connection is open
     * @throws GatewayException when the id is malformed or its gateway does not answer
     */
    boolean isOnline(String clientId);

    /**
     * Whether any connection is bound to {@code uid}.
     *
     * @param uid the user id
     * @return true when at least one is
     * @throws GatewayException when the uid is empty or a gateway does not answer
     */
    boolean isUidOnline(String uid);

    /**
     * For each of {@code uids}, whether any connection is bound to it.
     *
     * @param uids the user ids
     * @return each uid asked for, mapped to its answer
     * @throws GatewayException when a uid is empty or a gateway does not answer
     */
    Map<String, Boolean> isUidsOnline(Collection<String> uids);

    /**
     * The clients bound to {@code uid}.
     *
     * @param uid the user id
     * @return their ids; empty when none
     * @throws GatewayException when the uid is empty or a gateway does not answer
     */
    List<String> getClientIdByUid(String uid);

    /**
     * For each of {@code uids}, the clients bound to it.
     *
     * @param uids the user ids
     * @return each uid asked for, mapped to its clients (possibly none)
     * @throws GatewayException when a uid is empty or a gateway does not answer
     */
    Map<String, List<String>> batchGetClientIdByUid(Collection<String> uids);

    /**
     * The uid a client is bound to.
     *
     * @param clientId the client
     * @return the uid, or {@code null} when it has none or is not online
     * @throws GatewayException when the id is malformed or its gateway does not answer
     */
    @Nullable
    String getUidByClientId(String clientId);

    /**
     * The members of a group.
     *
     * @param group the group
     * @return their client ids
     * @throws GatewayException when the group is empty or a gateway does not answer
     */
    List<String> getClientIdListByGroup(String group);

    /**
     * The number of members of a group.
     *
     * @param group the group
     * @return the count
     * @throws GatewayException when the group is empty or a gateway does not answer
     */
    int getClientCountByGroup(String group);

    /**
     * For each of {@code groups}, its number of members.
     *
     * @param groups the groups
     * @return each group asked for, mapped to its count
     * @throws GatewayException when a group is empty or a gateway does not answer
     */
    Map<String, Integer> batchGetClientCountByGroup(Collection<String> groups);

    /**
     * The sessions of a group's members.
     *
     * @param group the group
     * @return client id to a copy of its session
     * @throws GatewayException when the group is empty or a gateway does not answer
     */
    Map<String, Map<String, Object>> getClientSessionsByGroup(String group);

    /**
     * The number of this app's clients.
     *
     * @return the count
     * @throws GatewayException when a gateway does not answer
     */
    int getAllClientCount();

    /**
     * Every client of this app.
     *
     * @return their ids
     * @throws GatewayException when a gateway does not answer
     */
    List<String> getAllClientIdList();

    /**
     * The sessions of every client of this app.
     *
     * @return client id to a copy of its session
     * @throws GatewayException when a gateway does not answer
     */
    Map<String, Map<String, Object>> getAllClientSessions();

    /**
     * Every uid bound to a client of this app.
     *
     * @return the uids
     * @throws GatewayException when a gateway does not answer
     */
    Set<String> getAllUidList();

    /**
     * The number of distinct uids bound to clients of this app.
     *
     * @return the count
     * @throws GatewayException when a gateway does not answer
     */
    int getAllUidCount();

    /**
     * The distinct uids of a group's members.
     *
     * @param group the group
     * @return the uids
     * @throws GatewayException when the group is empty or a gateway does not answer
     */
    Set<String> getUidListByGroup(String group);

    /**
     * The number of distinct uids among a group's members.
     *
     * @param group the group
     * @return the count
     * @throws GatewayException when the group is empty or a gateway does not answer
     */
    int getUidCountByGroup(String group);

    /**
     * Every group that has members.
     *
     * @return the groups
     * @throws GatewayException when a gateway does not answer
     */
    Set<String> getAllGroupIdList();

    /**
     * For every group, the distinct uids of its members (members without a uid are left out).
     *
     * @return group to uids
     * @throws GatewayException when a gateway does not answer
     */
    Map<String, Set<String>> getAllGroupUidList();

    /**
     * For every group, the number of distinct uids among its members.
     *
     * @return group to count
     * @throws GatewayException when a gateway does not answer
     */
    Map<String, Integer> getAllGroupUidCount();

    /**
     * For every group, its members.
     *
     * @return group to client ids
     * @throws GatewayException when a gateway does not answer
     */
    Map<String, List<String>> getAllGroupClientIdList();

    /**
     * For every group, its number of members.
     *
     * @return group to count
     * @throws GatewayException when a gateway does not answer
     */
    Map<String, Integer> getAllGroupClientIdCount();
}
