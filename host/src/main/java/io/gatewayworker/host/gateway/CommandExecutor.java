package io.gatewayworker.host.gateway;

import io.gatewayworker.proto.link.v1.Body;
import io.gatewayworker.proto.link.v1.Close;
import io.gatewayworker.proto.link.v1.ClientAck;
import io.gatewayworker.proto.link.v1.Command;
import io.gatewayworker.proto.link.v1.Send;
import io.gatewayworker.proto.link.v1.SessionWrite;
import io.gatewayworker.proto.link.v1.Verdict;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import java.util.Collection;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out the commands of one worker link. Each command becomes operations on the event loops of
 * its target clients, collected in one {@link LoopBatch} per loop during a read burst and handed to
 * each loop at the end of the burst ({@link #flush()}): one task per loop, not one per message, and
 * the order of commands is kept for every client.
 *
 * <p>A message is encoded once per command. Sends to everyone, to uids and to groups are fan-outs:
 * each loop walks its own indexes ({@link LoopClients}) and writes a duplicate of the one encoding to
 * each target, once per target even when it matches several uids or groups. Every operation checks
 * that its client belongs to the command's app.
 *
 * <p>Runs on the link's event loop.
 */
final class CommandExecutor {

    private static final Logger log = LoggerFactory.getLogger(CommandExecutor.class);

    private final GatewayServer gateway;
    private final WorkerLink link;
    private final QueryExecutor queries;
    private final Map<EventLoop, LoopBatch> batches = new IdentityHashMap<>();

    CommandExecutor(GatewayServer gateway, WorkerLink link) {
        this.gateway = gateway;
        this.link = link;
        this.queries = new QueryExecutor(gateway, link);
    }

    void execute(Command command) {
        String app = command.getApp();
        switch (command.getOpCase()) {
            case SEND -> send(app, command.getSend());
            case BROADCAST -> fanOut(app, command.getBroadcast().getBody(), command.getBroadcast().getExcludeList(),
                    true, 1, clients -> clients.all);
            case SEND_TO_UID -> fanOut(app, command.getSendToUid().getBody(), List.of(), false,
                    command.getSendToUid().getUidsCount(), selectUnion(command.getSendToUid().getUidsList(), true));
            case SEND_TO_GROUP -> fanOut(app, command.getSendToGroup().getBody(), command.getSendToGroup().getExcludeList(),
                    false, command.getSendToGroup().getGroupsCount(),
                    selectUnion(command.getSendToGroup().getGroupsList(), false));
            case CLOSE -> close(app, command.getClose());
            case VERDICT -> {
                Verdict v = command.getVerdict();
                onClient(app, v.getConnection(), c -> c.verdict(v.getAccept(), v.getCode(), v.getReason()));
            }
            case SESSION_WRITE -> {
                // At once, on this thread: a later event of that client, even one read before this burst's
                // batches run, must see it (ClientConnection publishes the session for that).
                SessionWrite w = command.getSessionWrite();
                ClientConnection client = gateway.table().get(w.getConnection());
                if (client != null && app.equals(client.app())) {
                    client.writeSession(w, link);
                }
            }
            case BIND_UID -> onClient(app, command.getBindUid().getConnection(), c -> c.bindUid(command.getBindUid().getUid()));
            case UNBIND_UID -> onClient(app, command.getUnbindUid().getConnection(),
                    c -> c.unbindUid(command.getUnbindUid().getUid()));
            case JOIN_GROUP -> onClient(app, command.getJoinGroup().getConnection(),
                    c -> c.joinGroup(command.getJoinGroup().getGroup()));
            case LEAVE_GROUP -> onClient(app, command.getLeaveGroup().getConnection(),
                    c -> c.leaveGroup(command.getLeaveGroup().getGroup()));
            case UNGROUP -> {
                String group = command.getUngroup().getGroup();
                for (LoopClients clients : gateway.table().loops()) {
                    batch(clients.loop()).add(() -> clients.ungroup(app, group), app);
                }
            }
            case QUERY -> queries.execute(command.getRequestId(), app, command.getQuery(), this::batch);
            default -> log.warn("Worker {} sent a command this gateway does not carry out: {}", link, command.getOpCase());
        }
    }

    /** The worker handled more of a client's events: its loop forgets them (see ClientConnection). */
    void acked(ClientAck ack) {
        // Found through the link, not the table: a closed client stays bound until its CLOSE is confirmed.
        ClientConnection client = link.client(ack.getConnection());
        if (client != null) {
            int events = ack.getEvents();
            batch(client.loop()).add(() -> client.acked(link, events), "");
        }
    }

    /** Hands every batch to its loop. */
    void flush() {
        for (Map.Entry<EventLoop, LoopBatch> entry : batches.entrySet()) {
            LoopBatch batch = entry.getValue();
            if (batch.isEmpty()) {
                continue;
            }
            if (batch.loop().inEventLoop()) {
                batch.run();
            } else {
                batch.handedOver();
                batch.loop().execute(batch);
                entry.setValue(new LoopBatch(batch.loop(), link));
            }
        }
    }

    private LoopBatch batch(EventLoop loop) {
        LoopBatch batch = batches.get(loop);
        if (batch == null) {
            batch = new LoopBatch(loop, link);
            batches.put(loop, batch);
        }
        return batch;
    }

    /** Runs {@code op} on the client's loop if it exists and belongs to {@code app}. */
    private void onClient(String app, int connection, Consumer<ClientConnection> op) {
        ClientConnection client = gateway.table().get(connection);
        if (client == null) {
            return; // gone: nothing to do
        }
        batch(client.loop()).add(() -> {
            if (app.equals(client.app())) {
                op.accept(client);
            }
        }, app);
    }

    private void send(String app, Send send) {
        EncodedBody body = new EncodedBody(send.getBody(), gateway.alloc());
        try {
            List<Integer> targets = send.getConnectionsList();
            Set<Integer> seen = targets.size() > 1 ? new HashSet<>() : null;
            for (int i = 0; i < targets.size(); i++) {
                int number = targets.get(i);
                if (seen != null && !seen.add(number)) {
                    continue;
                }
                ClientConnection client = gateway.table().get(number);
                if (client == null) {
                    continue; // gone: dropped silently
                }
                ByteBuf wire = body.copyFor(client.listener().wire());
                LoopBatch batch = batch(client.loop());
                batch.add(() -> {
                    if (app.equals(client.app())) {
                        client.write(wire);
                    } else {
                        wire.release();
                    }
                }, app);
            }
        } finally {
            body.release();
        }
    }

    /**
     * Sends {@code body} to the clients of {@code app} that {@code targets} selects on each loop, except
     * the excluded connections. Encoded once; one operation per loop.
     */
    private void fanOut(String app, Body body, List<Integer> excludeList, boolean targetsAll, int keys,
                        Function<LoopClients.AppClients, Collection<ClientConnection>> targets) {
        List<LoopClients> loops = gateway.table().loops();
        if (loops.isEmpty()) {
            return;
        }
        EncodedBody encoded = new EncodedBody(body, gateway.alloc());
        encoded.encodeAll(gateway.wireFormats());
        Set<Integer> exclude = excludeList.isEmpty() ? Set.of() : new HashSet<>(excludeList);
        try {
            for (LoopClients clients : loops) {
                LoopBatch batch = batch(clients.loop());
                EncodedBody shared = encoded.retain();
                // A broadcast counts the clients it reaches; sends to uids and groups, the keys named.
                long deliveries = targetsAll ? clients.estimate(app) : keys;
                batch.add(() -> {
                    try {
                        LoopClients.AppClients appClients = clients.of(app);
                        if (appClients.isEmpty()) {
                            return;
                        }
                        boolean excluding = !exclude.isEmpty(); // no boxing per receiver when nobody is excluded
                        for (ClientConnection client : targets.apply(appClients)) {
                            if (!excluding || !exclude.contains(client.number())) {
                                client.write(shared.copyFor(client.listener().wire()));
                            }
                        }
                    } finally {
                        shared.release();
                    }
                }, deliveries, app);
            }
        } finally {
            encoded.release();
        }
    }

    /** Members of any of {@code keys} (uids or groups), each client once. */
    private static Function<LoopClients.AppClients, Collection<ClientConnection>> selectUnion(List<String> keys, boolean uids) {
        if (keys.size() == 1) {
            String key = keys.get(0);
            return uids ? clients -> clients.uid(key) : clients -> clients.group(key);
        }
        return clients -> {
            Set<ClientConnection> union = new LinkedHashSet<>();
            for (String key : keys) {
                union.addAll(uids ? clients.uid(key) : clients.group(key));
            }
            return union;
        };
    }

    /** A close code an endpoint may send (RFC 6455 7.4); anything else becomes 1000. */
    static int validCloseCode(int code) {
        boolean ok = code == 1000 || code == 1001 || code == 1002 || code == 1003 || (code >= 1007 && code <= 1014)
                || (code >= 3000 && code <= 4999);
        return ok ? code : 1000;
    }

    private void close(String app, Close close) {
        ClientConnection client = gateway.table().get(close.getConnection());
        if (client == null) {
            return;
        }
        ByteBuf last = close.hasBody() && !close.getImmediate()
                ? client.listener().wire().encode(close.getBody(), gateway.alloc()) : null;
        int code = validCloseCode(close.getCode());
        String reason = close.getReason();
        boolean immediate = close.getImmediate();
        batch(client.loop()).add(() -> {
            if (app.equals(client.app())) {
                client.close(last, code, reason, immediate);
            } else if (last != null) {
                last.release();
            }
        }, app);
    }
}
