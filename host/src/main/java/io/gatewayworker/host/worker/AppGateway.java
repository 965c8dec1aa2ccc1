package io.gatewayworker.host.worker;

import com.google.protobuf.ByteString;
import io.gatewayworker.api.Gateway;
import io.gatewayworker.api.GatewayException;
import io.gatewayworker.host.config.Limits;
import io.gatewayworker.host.link.ClientId;
import io.gatewayworker.host.link.SessionCodec;
import io.gatewayworker.proto.link.v1.BindUid;
import io.gatewayworker.proto.link.v1.Body;
import io.gatewayworker.proto.link.v1.Broadcast;
import io.gatewayworker.proto.link.v1.ClientRecord;
import io.gatewayworker.proto.link.v1.Close;
import io.gatewayworker.proto.link.v1.Command;
import io.gatewayworker.proto.link.v1.GroupCount;
import io.gatewayworker.proto.link.v1.JoinGroup;
import io.gatewayworker.proto.link.v1.LeaveGroup;
import io.gatewayworker.proto.link.v1.Query;
import io.gatewayworker.proto.link.v1.Reply;
import io.gatewayworker.proto.link.v1.Send;
import io.gatewayworker.proto.link.v1.SendToGroup;
import io.gatewayworker.proto.link.v1.SendToUid;
import io.gatewayworker.proto.link.v1.Session;
import io.gatewayworker.proto.link.v1.SessionWrite;
import io.gatewayworker.proto.link.v1.UidClients;
import io.gatewayworker.proto.link.v1.UnbindUid;
import io.gatewayworker.proto.link.v1.Ungroup;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Gateway} of one app on this worker. Every call decodes the client ids it is given, finds
 * the link of each owning gateway, and sends that gateway a command on behalf of the app: one command
 * per gateway, never one per client. Sends to everyone, uids and groups, and group changes, go to every
 * linked gateway. Queries ask the gateways concerned and wait for every answer, at most
 * {@link Limits#queryTimeout()}.
 *
 * <p>Session calls for the client of the callback running on this thread act on that callback's
 * session, which is written back when the callback returns (as GatewayWorker's {@code $_SESSION}).
 *
 * <p>Thread-safe; called from callbacks, timers and app threads.
 */
final class AppGateway implements Gateway {

    private static final Logger log = LoggerFactory.getLogger(AppGateway.class);

    private final String app;
    private final GatewayDirectory gateways;
    private final Limits limits;

    AppGateway(String app, GatewayDirectory gateways, Limits limits) {
        this.app = app;
        this.gateways = gateways;
        this.limits = limits;
    }

    // ================================================================== push

    @Override
    public void sendToAll(String message) {
        broadcast(text(message), Map.of());
    }

    @Override
    public void sendToAll(byte[] message) {
        broadcast(binary(message), Map.of());
    }

    @Override
    public void sendToAll(String message, Collection<String> clientIds, Collection<String> excludeClientIds) {
        sendToAll(text(message), clientIds, excludeClientIds);
    }

    @Override
    public void sendToAll(byte[] message, Collection<String> clientIds, Collection<String> excludeClientIds) {
        sendToAll(binary(message), clientIds, excludeClientIds);
    }

    @Override
    public void sendToClient(String clientId, String message) {
        sendTo(ClientId.parse(clientId), text(message));
    }

    @Override
    public void sendToClient(String clientId, byte[] message) {
        sendTo(ClientId.parse(clientId), binary(message));
    }

    @Override
    public void closeClient(String clientId) {
        close(ClientId.parse(clientId), null, false);
    }

    @Override
    public void closeClient(String clientId, String message) {
        close(ClientId.parse(clientId), text(message), false);
    }

    @Override
    public void destroyClient(String clientId) {
        close(ClientId.parse(clientId), null, true);
    }

    @Override
    public void bindUid(String clientId, String uid) {
        ClientId id = ClientId.parse(clientId);
        checkKey("uid", uid);
        toOwner(id, command().setBindUid(BindUid.newBuilder().setConnection(id.connection()).setUid(uid)));
    }

    @Override
    public void unbindUid(String clientId, String uid) {
        ClientId id = ClientId.parse(clientId);
        checkKey("uid", uid);
        toOwner(id, command().setUnbindUid(UnbindUid.newBuilder().setConnection(id.connection()).setUid(uid)));
    }

    @Override
    public void sendToUid(String uid, String message) {
        sendToUid(List.of(checkKey("uid", uid)), message);
    }

    @Override
    public void sendToUid(String uid, byte[] message) {
        sendToUid(List.of(checkKey("uid", uid)), message);
    }

    @Override
    public void sendToUid(Collection<String> uids, String message) {
        sendToUid(uids, text(message));
    }

    @Override
    public void sendToUid(Collection<String> uids, byte[] message) {
        sendToUid(uids, binary(message));
    }

    @Override
    public void joinGroup(String clientId, String group) {
        ClientId id = ClientId.parse(clientId);
        checkKey("group", group);
        toOwner(id, command().setJoinGroup(JoinGroup.newBuilder().setConnection(id.connection()).setGroup(group)));
    }

    @Override
    public void leaveGroup(String clientId, String group) {
        ClientId id = ClientId.parse(clientId);
        checkKey("group", group);
        toOwner(id, command().setLeaveGroup(LeaveGroup.newBuilder().setConnection(id.connection()).setGroup(group)));
    }

    @Override
    public void ungroup(String group) {
        Command command = command().setUngroup(Ungroup.newBuilder().setGroup(checkKey("group", group))).build();
        for (GatewayLink link : gateways.all()) {
            link.command(command);
        }
    }

    @Override
    public void sendToGroup(String group, String message) {
        sendToGroup(List.of(checkKey("group", group)), text(message), null);
    }

    @Override
    public void sendToGroup(String group, byte[] message) {
        sendToGroup(List.of(checkKey("group", group)), binary(message), null);
    }

    @Override
    public void sendToGroup(Collection<String> groups, String message, Collection<String> excludeClientIds) {
        sendToGroup(groups, text(message), excludeClientIds);
    }

    @Override
    public void sendToGroup(Collection<String> groups, byte[] message, Collection<String> excludeClientIds) {
        sendToGroup(groups, binary(message), excludeClientIds);
    }

    // ================================================================== sessions

    @Override
    public void setSession(String clientId, Map<String, ?> session) {
        writeSession(clientId, session, SessionWrite.Mode.REPLACE);
    }

    @Override
    public void updateSession(String clientId, Map<String, ?> values) {
        writeSession(clientId, values, SessionWrite.Mode.MERGE);
    }

    @Override
    public Map<String, Object> getSession(String clientId) {
        ClientId id = ClientId.parse(clientId);
        ClientView current = current(clientId);
        if (current != null) {
            return SessionCodec.decode(SessionCodec.encode(current.session()));
        }
        Reply reply = askOwner(id, select().addConnections(id.connection()).setWithSession(true));
        if (reply == null || reply.getClientsCount() == 0) {
            return null;
        }
        return SessionCodec.decode(reply.getClients(0).getSession());
    }

    // ================================================================== queries

    @Override
    public boolean isOnline(String clientId) {
        ClientId id = ClientId.parse(clientId);
        Reply reply = askOwner(id, Query.newBuilder().setKind(Query.Kind.COUNT).addConnections(id.connection()));
        return reply != null && reply.getCount() > 0;
    }

    @Override
    public boolean isUidOnline(String uid) {
        return !getClientIdByUid(uid).isEmpty();
    }

    @Override
    public Map<String, Boolean> isUidsOnline(Collection<String> uids) {
        Map<String, Boolean> out = new LinkedHashMap<>();
        batchGetClientIdByUid(uids).forEach((uid, ids) -> out.put(uid, !ids.isEmpty()));
        return out;
    }

    @Override
    public List<String> getClientIdByUid(String uid) {
        return batchGetClientIdByUid(List.of(checkKey("uid", uid))).get(uid);
    }

    @Override
    public Map<String, List<String>> batchGetClientIdByUid(Collection<String> uids) {
        List<String> keys = checkKeys("uid", uids);
        Map<String, List<String>> out = new LinkedHashMap<>();
        keys.forEach(u -> out.put(u, new ArrayList<>()));
        if (keys.isEmpty()) {
            return out;
        }
        askAll(Query.newBuilder().setKind(Query.Kind.UID_CLIENTS).addAllUids(keys)).forEach((link, reply) -> {
            for (UidClients entry : reply.getUidClientsList()) {
                List<String> ids = out.computeIfAbsent(entry.getUid(), u -> new ArrayList<>());
                entry.getConnectionsList().forEach(n -> ids.add(idOf(link, n)));
            }
        });
        return out;
    }

    @Override
    public String getUidByClientId(String clientId) {
        ClientId id = ClientId.parse(clientId);
        Reply reply = askOwner(id, select().addConnections(id.connection()).setWithUid(true));
        if (reply == null || reply.getClientsCount() == 0 || reply.getClients(0).getUid().isEmpty()) {
            return null;
        }
        return reply.getClients(0).getUid();
    }

    @Override
    public List<String> getClientIdListByGroup(String group) {
        return ids(askAll(select().addGroups(checkKey("group", group))));
    }

    @Override
    public int getClientCountByGroup(String group) {
        return batchGetClientCountByGroup(List.of(checkKey("group", group))).get(group);
    }

    @Override
    public Map<String, Integer> batchGetClientCountByGroup(Collection<String> groups) {
        List<String> keys = checkKeys("group", groups);
        Map<String, Integer> out = new LinkedHashMap<>();
        keys.forEach(g -> out.put(g, 0));
        if (keys.isEmpty()) {
            return out;
        }
        askAll(Query.newBuilder().setKind(Query.Kind.GROUP_COUNTS).addAllGroups(keys)).values().forEach(reply -> {
            for (GroupCount count : reply.getCountsList()) {
                out.merge(count.getGroup(), (int) count.getCount(), Integer::sum);
            }
        });
        return out;
    }

    @Override
    public Map<String, Map<String, Object>> getClientSessionsByGroup(String group) {
        return sessions(askAll(select().addGroups(checkKey("group", group)).setWithSession(true)));
    }

    @Override
    public int getAllClientCount() {
        long total = 0;
        for (Reply reply : askAll(Query.newBuilder().setKind(Query.Kind.COUNT).setAll(true)).values()) {
            total += reply.getCount();
        }
        return (int) total;
    }

    @Override
    public List<String> getAllClientIdList() {
        return ids(askAll(select().setAll(true)));
    }

    @Override
    public Map<String, Map<String, Object>> getAllClientSessions() {
        return sessions(askAll(select().setAll(true).setWithSession(true)));
    }

    @Override
    public Set<String> getAllUidList() {
        return uids(askAll(Query.newBuilder().setKind(Query.Kind.UIDS).setAll(true)));
    }

    @Override
    public int getAllUidCount() {
        return getAllUidList().size();
    }

    @Override
    public Set<String> getUidListByGroup(String group) {
        return uids(askAll(Query.newBuilder().setKind(Query.Kind.UIDS).addGroups(checkKey("group", group))));
    }

    @Override
    public int getUidCountByGroup(String group) {
        return getUidListByGroup(group).size();
    }

    @Override
    public Set<String> getAllGroupIdList() {
        Set<String> groups = new LinkedHashSet<>();
        askAll(Query.newBuilder().setKind(Query.Kind.GROUPS)).values().forEach(r -> groups.addAll(r.getGroupsList()));
        return groups;
    }

    @Override
    public Map<String, Set<String>> getAllGroupUidList() {
        Map<String, Set<String>> out = new LinkedHashMap<>();
        askAll(select().setAll(true).setWithUid(true).setWithGroups(true)).values().forEach(reply -> {
            for (ClientRecord record : reply.getClientsList()) {
                for (String group : record.getGroupsList()) {
                    Set<String> uids = out.computeIfAbsent(group, g -> new LinkedHashSet<>());
                    if (!record.getUid().isEmpty()) {
                        uids.add(record.getUid());
                    }
                }
            }
        });
        return out;
    }

    @Override
    public Map<String, Integer> getAllGroupUidCount() {
        Map<String, Integer> out = new LinkedHashMap<>();
        getAllGroupUidList().forEach((group, uids) -> out.put(group, uids.size()));
        return out;
    }

    @Override
    public Map<String, List<String>> getAllGroupClientIdList() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        askAll(select().setAll(true).setWithGroups(true)).forEach((link, reply) -> {
            for (ClientRecord record : reply.getClientsList()) {
                for (String group : record.getGroupsList()) {
                    out.computeIfAbsent(group, g -> new ArrayList<>()).add(idOf(link, record.getConnection()));
                }
            }
        });
        return out;
    }

    @Override
    public Map<String, Integer> getAllGroupClientIdCount() {
        Map<String, Integer> out = new LinkedHashMap<>();
        getAllGroupClientIdList().forEach((group, ids) -> out.put(group, ids.size()));
        return out;
    }

    // ================================================================== plumbing

    private void sendToAll(Body body, Collection<String> clientIds, Collection<String> excludeClientIds) {
        Map<Long, List<Integer>> excluded = byGateway(excludeClientIds);
        if (clientIds == null) {
            broadcast(body, excluded);
            return;
        }
        for (Map.Entry<Long, List<Integer>> e : byGateway(clientIds).entrySet()) {
            List<Integer> connections = e.getValue();
            List<Integer> skip = excluded.get(e.getKey());
            if (skip != null) {
                connections.removeAll(skip);
            }
            GatewayLink link = gateways.get(e.getKey());
            if (link != null && !connections.isEmpty()) {
                link.command(command().setSend(Send.newBuilder().addAllConnections(connections).setBody(body)).build());
            }
        }
    }

    private void broadcast(Body body, Map<Long, List<Integer>> excluded) {
        for (GatewayLink link : gateways.all()) {
            Broadcast.Builder broadcast = Broadcast.newBuilder().setBody(body);
            List<Integer> skip = excluded.get(link.address().key());
            if (skip != null) {
                broadcast.addAllExclude(skip);
            }
            link.command(command().setBroadcast(broadcast).build());
        }
    }

    private void sendToUid(Collection<String> uids, Body body) {
        List<String> keys = checkKeys("uid", uids);
        if (keys.isEmpty()) {
            return;
        }
        Command command = command().setSendToUid(SendToUid.newBuilder().addAllUids(keys).setBody(body)).build();
        for (GatewayLink link : gateways.all()) {
            link.command(command);
        }
    }

    private void sendToGroup(Collection<String> groups, Body body, Collection<String> excludeClientIds) {
        List<String> keys = checkKeys("group", groups);
        if (keys.isEmpty()) {
            return;
        }
        Map<Long, List<Integer>> excluded = byGateway(excludeClientIds);
        for (GatewayLink link : gateways.all()) {
            SendToGroup.Builder send = SendToGroup.newBuilder().addAllGroups(keys).setBody(body);
            List<Integer> skip = excluded.get(link.address().key());
            if (skip != null) {
                send.addAllExclude(skip);
            }
            link.command(command().setSendToGroup(send).build());
        }
    }

    private void sendTo(ClientId id, Body body) {
        toOwner(id, command().setSend(Send.newBuilder().addConnections(id.connection()).setBody(body)));
    }

    private void close(ClientId id, Body last, boolean immediate) {
        Close.Builder close = Close.newBuilder().setConnection(id.connection()).setCode(1000).setImmediate(immediate);
        if (last != null) {
            close.setBody(last);
        }
        toOwner(id, command().setClose(close));
    }

    private void writeSession(String clientId, Map<String, ?> values, SessionWrite.Mode mode) {
        ClientId id = ClientId.parse(clientId);
        Objects.requireNonNull(values, "session");
        Session encoded = SessionCodec.encode(values);
        ClientView current = current(clientId);
        if (current != null) {
            // The running callback's session is written back when it returns.
            if (mode == SessionWrite.Mode.REPLACE) {
                current.session().clear();
            }
            current.session().putAll(SessionCodec.decode(encoded));
            checkSize(SessionCodec.encode(current.session()), clientId);
            return;
        }
        checkSize(encoded, clientId);
        toOwner(id, command().setSessionWrite(SessionWrite.newBuilder()
                .setConnection(id.connection()).setMode(mode).setSession(encoded)));
    }

    private void checkSize(Session session, String clientId) {
        int size = session.getSerializedSize();
        if (size > limits.maxSessionBytes()) {
            throw new GatewayException("session of client " + clientId + ": " + size + " bytes encoded (limit "
                    + limits.maxSessionBytes() + ")");
        }
    }

    /** The view of the callback running on this thread, if it is about {@code clientId}. */
    private static ClientView current(String clientId) {
        ClientView view = ClientView.CURRENT.get();
        return view != null && view.id().equalsIgnoreCase(clientId) ? view : null;
    }

    private void toOwner(ClientId id, Command.Builder command) {
        GatewayLink link = gateways.get(id.gatewayKey());
        if (link == null) {
            log.debug("App {}: no link to the gateway of client {}; {} dropped", app, id, command.getOpCase());
            return;
        }
        link.command(command.build());
    }

    /** Asks the gateway of {@code id}; null when it is not linked (so the client is not online). */
    private Reply askOwner(ClientId id, Query.Builder query) {
        GatewayLink link = gateways.get(id.gatewayKey());
        if (link == null) {
            return null;
        }
        return await(Map.of(link, link.ask(app, query.build()))).get(link);
    }

    /** Asks every linked gateway and waits for every answer. */
    private Map<GatewayLink, Reply> askAll(Query.Builder query) {
        Query built = query.build();
        Map<GatewayLink, CompletableFuture<Reply>> asked = new LinkedHashMap<>();
        for (GatewayLink link : gateways.all()) {
            asked.put(link, link.ask(app, built));
        }
        return await(asked);
    }

    private Map<GatewayLink, Reply> await(Map<GatewayLink, CompletableFuture<Reply>> asked) {
        try {
            return awaitAll(asked);
        } finally {
            asked.values().forEach(f -> f.cancel(false)); // no-op for the answered; frees the pending others
        }
    }

    private Map<GatewayLink, Reply> awaitAll(Map<GatewayLink, CompletableFuture<Reply>> asked) {
        long deadline = System.nanoTime() + limits.queryTimeout().toNanos();
        Map<GatewayLink, Reply> replies = new LinkedHashMap<>();
        for (Map.Entry<GatewayLink, CompletableFuture<Reply>> e : asked.entrySet()) {
            GatewayLink link = e.getKey();
            try {
                Reply reply = e.getValue().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (!reply.getError().isEmpty()) {
                    throw new GatewayException("gateway " + link.address() + " could not answer: " + reply.getError());
                }
                replies.put(link, reply);
            } catch (TimeoutException ex) {
                e.getValue().cancel(false);
                throw new GatewayException("gateway " + link.address() + " did not answer within "
                        + limits.queryTimeout().toMillis() + " ms");
            } catch (ExecutionException ex) {
                throw ex.getCause() instanceof GatewayException g ? g
                        : new GatewayException("gateway " + link.address() + " could not answer", ex.getCause());
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new GatewayException("interrupted while waiting for gateway " + link.address());
            }
        }
        return replies;
    }

    private static Query.Builder select() {
        return Query.newBuilder().setKind(Query.Kind.SELECT);
    }

    private static List<String> ids(Map<GatewayLink, Reply> replies) {
        List<String> ids = new ArrayList<>();
        replies.forEach((link, reply) -> reply.getClientsList().forEach(r -> ids.add(idOf(link, r.getConnection()))));
        return ids;
    }

    private static Map<String, Map<String, Object>> sessions(Map<GatewayLink, Reply> replies) {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        replies.forEach((link, reply) -> reply.getClientsList().forEach(r ->
                out.put(idOf(link, r.getConnection()), SessionCodec.decode(r.getSession()))));
        return out;
    }

    private static Set<String> uids(Map<GatewayLink, Reply> replies) {
        Set<String> uids = new LinkedHashSet<>();
        replies.values().forEach(r -> uids.addAll(r.getUidsList()));
        return uids;
    }

    private static String idOf(GatewayLink link, int connection) {
        return ClientId.format(link.address().ipv4(), link.address().port(), connection);
    }

    /** Groups client ids by gateway; the lists are mutable and free of duplicates. */
    private static Map<Long, List<Integer>> byGateway(Collection<String> clientIds) {
        if (clientIds == null || clientIds.isEmpty()) {
            return Map.of();
        }
        Map<Long, LinkedHashSet<Integer>> grouped = new HashMap<>();
        for (String text : clientIds) {
            ClientId id = ClientId.parse(text);
            grouped.computeIfAbsent(id.gatewayKey(), k -> new LinkedHashSet<>()).add(id.connection());
        }
        Map<Long, List<Integer>> out = new HashMap<>();
        grouped.forEach((k, v) -> out.put(k, new ArrayList<>(v)));
        return out;
    }

    private static String checkKey(String what, String key) {
        if (key == null || key.isEmpty()) {
            throw new GatewayException(what + ": " + (key == null ? "null" : "''") + " (expected: a non-empty string)");
        }
        return key;
    }

    private static List<String> checkKeys(String what, Collection<String> keys) {
        Objects.requireNonNull(keys, what + "s");
        List<String> out = new ArrayList<>(new LinkedHashSet<>(keys));
        out.forEach(k -> checkKey(what, k));
        return out;
    }

    private Command.Builder command() {
        return Command.newBuilder().setApp(app);
    }

    private static Body text(String message) {
        return Body.newBuilder().setText(Objects.requireNonNull(message, "message")).build();
    }

    private static Body binary(byte[] message) {
        return Body.newBuilder().setBinary(ByteString.copyFrom(Objects.requireNonNull(message, "message"))).build();
    }
}
