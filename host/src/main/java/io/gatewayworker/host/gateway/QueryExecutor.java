package io.gatewayworker.host.gateway;

import io.gatewayworker.proto.link.v1.ClientRecord;
import io.gatewayworker.proto.link.v1.Envelope;
import io.gatewayworker.proto.link.v1.GroupCount;
import io.gatewayworker.proto.link.v1.Query;
import io.gatewayworker.proto.link.v1.Reply;
import io.gatewayworker.proto.link.v1.UidClients;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers a worker's {@link Query} about the app's clients on this gateway. Client state belongs to the
 * clients' event loops, so each loop concerned computes its part in one task; the parts are merged and
 * the {@link Reply} goes back on the link that asked. Only accepted (open) clients count.
 *
 * <p>{@link #execute} runs on the link's loop; the parts on the clients' loops; the merge on whichever
 * loop finishes last.
 */
final class QueryExecutor {

    private static final Logger log = LoggerFactory.getLogger(QueryExecutor.class);

    private final GatewayServer gateway;
    private final WorkerLink link;

    QueryExecutor(GatewayServer gateway, WorkerLink link) {
        this.gateway = gateway;
        this.link = link;
    }

    /**
     * Answers a query. Each loop's part is an operation of that loop's batch, so it sees every command
     * that came before the query on the link (a bindUid then an isUidOnline answers true).
     */
    void execute(long requestId, String app, Query query, java.util.function.Function<EventLoop, LoopBatch> batches) {
        List<LoopClients> loops = loopsFor(query);
        List<CompletableFuture<Part>> parts = new ArrayList<>(loops.size());
        for (LoopClients clients : loops) {
            CompletableFuture<Part> part = new CompletableFuture<>();
            parts.add(part);
            batches.apply(clients.loop()).add(() -> {
                try {
                    part.complete(compute(clients, app, query));
                } catch (Throwable t) {
                    part.completeExceptionally(t);
                }
            }, app);
        }
        CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).whenComplete((ok, failure) -> {
            Reply.Builder reply = Reply.newBuilder().setRequestId(requestId);
            if (failure != null) {
                log.warn("Query {} of app {} failed", query.getKind(), app, failure);
                reply.setError("the gateway failed to answer: " + failure);
            } else {
                Part merged = new Part();
                parts.forEach(p -> merged.merge(p.join()));
                merged.into(reply, query);
            }
            link.out().add(Envelope.newBuilder().setReply(reply).build());
        });
    }

    /** The loops that hold the clients a query is about. */
    private List<LoopClients> loopsFor(Query query) {
        if (query.getAll() || query.getUidsCount() > 0 || query.getGroupsCount() > 0
                || query.getKind() == Query.Kind.GROUPS) {
            return gateway.table().loops();
        }
        Set<EventLoop> loops = new LinkedHashSet<>();
        for (int number : query.getConnectionsList()) {
            ClientConnection client = gateway.table().get(number);
            if (client != null) {
                loops.add(client.loop());
            }
        }
        List<LoopClients> out = new ArrayList<>(loops.size());
        for (EventLoop loop : loops) {
            out.add(gateway.table().loop(loop));
        }
        return out;
    }

    /** This loop's part of the answer. Runs on {@code clients.loop()}. */
    private Part compute(LoopClients clients, String app, Query query) {
        LoopClients.AppClients mine = clients.of(app);
        Part part = new Part();
        switch (query.getKind()) {
            case GROUP_COUNTS -> {
                for (String group : query.getGroupsList()) {
                    part.counts.merge(group, (long) mine.group(group).size(), Long::sum);
                }
            }
            case UID_CLIENTS -> {
                for (String uid : query.getUidsList()) {
                    List<Integer> numbers = part.uidClients.computeIfAbsent(uid, u -> new ArrayList<>());
                    for (ClientConnection c : mine.uid(uid)) {
                        numbers.add(c.number());
                    }
                }
            }
            case GROUPS -> part.groups.addAll(mine.byGroup.keySet());
            default -> {
                Collection<ClientConnection> matched = match(clients, mine, app, query);
                switch (query.getKind()) {
                    case COUNT -> part.count += matched.size();
                    case UIDS -> matched.forEach(c -> {
                        if (c.uid() != null) {
                            part.uids.add(c.uid());
                        }
                    });
                    case SELECT -> matched.forEach(c -> part.records.add(record(c, query)));
                    default -> throw new IllegalArgumentException("unknown query kind " + query.getKind());
                }
            }
        }
        return part;
    }

    private Collection<ClientConnection> match(LoopClients clients, LoopClients.AppClients mine, String app, Query query) {
        if (query.getAll()) {
            return mine.all;
        }
        Set<ClientConnection> matched = new LinkedHashSet<>();
        for (int number : query.getConnectionsList()) {
            ClientConnection c = gateway.table().get(number);
            if (c != null && c.loop() == clients.loop() && c.isOpen() && app.equals(c.app())) {
                matched.add(c);
            }
        }
        for (String uid : query.getUidsList()) {
            matched.addAll(mine.uid(uid));
        }
        for (String group : query.getGroupsList()) {
            matched.addAll(mine.group(group));
        }
        return matched;
    }

    private static ClientRecord record(ClientConnection c, Query query) {
        ClientRecord.Builder record = ClientRecord.newBuilder().setConnection(c.number());
        if (query.getWithUid() && c.uid() != null) {
            record.setUid(c.uid());
        }
        if (query.getWithGroups()) {
            record.addAllGroups(c.groups());
        }
        if (query.getWithSession()) {
            record.setSession(c.session());
        }
        return record.build();
    }

    /** A part of an answer; merged on one thread after every part is done. */
    private static final class Part {
        final List<ClientRecord> records = new ArrayList<>();
        long count;
        final Set<String> uids = new LinkedHashSet<>();
        final Map<String, Long> counts = new LinkedHashMap<>();
        final Map<String, List<Integer>> uidClients = new LinkedHashMap<>();
        final Set<String> groups = new LinkedHashSet<>();

        void merge(Part other) {
            records.addAll(other.records);
            count += other.count;
            uids.addAll(other.uids);
            other.counts.forEach((g, n) -> counts.merge(g, n, Long::sum));
            other.uidClients.forEach((u, list) -> uidClients.computeIfAbsent(u, k -> new ArrayList<>()).addAll(list));
            groups.addAll(other.groups);
        }

        void into(Reply.Builder reply, Query query) {
            reply.addAllClients(records).setCount(count).addAllUids(uids).addAllGroups(groups);
            // Answer every key asked for, also those no loop has (so the asker sees a zero).
            for (String group : query.getKind() == Query.Kind.GROUP_COUNTS ? query.getGroupsList() : List.<String>of()) {
                counts.putIfAbsent(group, 0L);
            }
            counts.forEach((g, n) -> reply.addCounts(GroupCount.newBuilder().setGroup(g).setCount(n)));
            if (query.getKind() == Query.Kind.UID_CLIENTS) {
                for (String uid : query.getUidsList()) {
                    uidClients.putIfAbsent(uid, new ArrayList<>());
                }
            }
            uidClients.forEach((u, list) -> reply.addUidClients(UidClients.newBuilder().setUid(u).addAllConnections(list)));
        }
    }
}
