package io.gatewayworker.host.gateway;

import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The accepted clients of one event loop, per app, with the app's uid and group indexes: a broadcast,
 * a send to a uid or a group, and a query each hand every loop one task that walks its own indexes.
 *
 * <p>Loop-confined: every method runs on {@link #loop()}.
 */
final class LoopClients {

    /** One app's clients on this loop. */
    static final class AppClients {
        final Set<ClientConnection> all = new LinkedHashSet<>();
        /** {@code all.size()}, published for the link loop's estimate of a fan-out's deliveries. */
        volatile int count;
        final Map<String, Set<ClientConnection>> byUid = new HashMap<>();
        final Map<String, Set<ClientConnection>> byGroup = new HashMap<>();

        Set<ClientConnection> uid(String uid) {
            Set<ClientConnection> set = byUid.get(uid);
            return set == null ? Collections.emptySet() : set;
        }

        Set<ClientConnection> group(String group) {
            Set<ClientConnection> set = byGroup.get(group);
            return set == null ? Collections.emptySet() : set;
        }

        boolean isEmpty() {
            return all.isEmpty();
        }
    }

    private static final AppClients NONE = new AppClients();

    private final EventLoop loop;
    /** Written on this loop only; concurrent so that {@link #estimate} may read it from a link loop. */
    private final Map<String, AppClients> byApp = new ConcurrentHashMap<>();
    /** Clients written to since the last flush; flushed by one task queued behind the work waiting now. */
    private final ArrayList<ClientConnection> dirty = new ArrayList<>();
    private boolean flushScheduled;
    private final Runnable flush = this::flushDirty;

    LoopClients(EventLoop loop) {
        this.loop = loop;
    }

    /**
     * {@code client} was written to: it is flushed by a task queued now, which runs after every batch
     * already waiting on this loop, so that several batches (four broadcasts in flight, say) share one
     * write per client.
     */
    void dirty(ClientConnection client) {
        dirty.add(client);
        if (!flushScheduled) {
            flushScheduled = true;
            loop.execute(flush);
        }
    }

    private void flushDirty() {
        flushScheduled = false;
        for (int i = 0; i < dirty.size(); i++) {
            dirty.get(i).flushBatch();
        }
        dirty.clear();
    }

    EventLoop loop() {
        return loop;
    }

    /**
     * The heap is at risk: drops this loop's clients with more than {@code over} bytes of output waiting.
     * Returns how many it dropped.
     */
    int dropBacklogged(long over, String why) {
        List<ClientConnection> slow = new ArrayList<>();
        long bytes = 0;
        for (AppClients clients : byApp.values()) {
            for (ClientConnection c : clients.all) {
                long pending = c.pendingOutput();
                if (pending > over) {
                    slow.add(c);
                    bytes += pending;
                }
            }
        }
        for (ClientConnection c : slow) {
            c.drop(c.pendingOutput(), why); // closing changes the sets: after the walk
        }
        return slow.size();
    }

    /** Calls {@code action} for every accepted client of this loop. */
    void forEachClient(java.util.function.Consumer<ClientConnection> action) {
        for (AppClients clients : byApp.values()) {
            for (ClientConnection c : clients.all) {
                action.accept(c);
            }
        }
    }

    /**
     * The heartbeat of this loop's clients: pings those silent for {@code pingMillis} or more (0: none)
     * and closes those silent for {@code idleMillis} or more (0: never). Returns how many it closed.
     */
    int heartbeat(long now, long pingMillis, long idleMillis) {
        List<ClientConnection> silent = null;
        for (AppClients clients : byApp.values()) {
            for (ClientConnection c : clients.all) {
                if (!c.heartbeatDue()) {
                    continue;
                }
                long quiet = now - c.lastActive();
                if (idleMillis > 0 && quiet >= idleMillis) {
                    if (silent == null) {
                        silent = new ArrayList<>();
                    }
                    silent.add(c); // closed after the walk: closing changes these sets
                } else if (pingMillis > 0 && quiet >= pingMillis) {
                    c.ping(now, pingMillis);
                }
            }
        }
        if (silent == null) {
            return 0;
        }
        for (ClientConnection c : silent) {
            c.closeIdle(now);
        }
        return silent.size();
    }

    /** The app's clients here; an empty, shared instance when there are none (do not modify it). */
    AppClients of(String app) {
        AppClients clients = byApp.get(app);
        return clients == null ? NONE : clients;
    }

    /**
     * About how many clients of {@code app} this loop has: what a broadcast's operation here will write.
     * Any thread (a racy read, good enough for accounting).
     */
    int estimate(String app) {
        AppClients clients = byApp.get(app);
        return clients == null ? 0 : clients.count;
    }

    /** Enters an accepted client with its uid and groups. */
    void add(ClientConnection c) {
        AppClients clients = byApp.computeIfAbsent(c.app(), a -> new AppClients());
        clients.all.add(c);
        clients.count = clients.all.size();
        if (c.uid() != null) {
            clients.byUid.computeIfAbsent(c.uid(), u -> new LinkedHashSet<>()).add(c);
        }
        for (String group : c.groups()) {
            clients.byGroup.computeIfAbsent(group, g -> new LinkedHashSet<>()).add(c);
        }
    }

    /** Removes a client and its index entries. */
    void remove(ClientConnection c) {
        AppClients clients = byApp.get(c.app());
        if (clients == null) {
            return;
        }
        clients.all.remove(c);
        clients.count = clients.all.size();
        if (c.uid() != null) {
            unindex(clients.byUid, c.uid(), c);
        }
        for (String group : c.groups()) {
            unindex(clients.byGroup, group, c);
        }
        if (clients.isEmpty()) {
            byApp.remove(c.app());
        }
    }

    void uidChanged(ClientConnection c, String oldUid) {
        AppClients clients = byApp.get(c.app());
        if (clients == null) {
            return;
        }
        if (oldUid != null) {
            unindex(clients.byUid, oldUid, c);
        }
        if (c.uid() != null) {
            clients.byUid.computeIfAbsent(c.uid(), u -> new LinkedHashSet<>()).add(c);
        }
    }

    void joined(ClientConnection c, String group) {
        AppClients clients = byApp.get(c.app());
        if (clients != null) {
            clients.byGroup.computeIfAbsent(group, g -> new LinkedHashSet<>()).add(c);
        }
    }

    void left(ClientConnection c, String group) {
        AppClients clients = byApp.get(c.app());
        if (clients != null) {
            unindex(clients.byGroup, group, c);
        }
    }

    /** Dissolves a group on this loop: every member leaves it. */
    void ungroup(String app, String group) {
        AppClients clients = byApp.get(app);
        if (clients == null) {
            return;
        }
        Set<ClientConnection> members = clients.byGroup.remove(group);
        if (members != null) {
            for (ClientConnection c : members) {
                c.forgetGroup(group);
            }
        }
    }

    private static void unindex(Map<String, Set<ClientConnection>> index, String key, ClientConnection c) {
        Set<ClientConnection> set = index.get(key);
        if (set != null && set.remove(c) && set.isEmpty()) {
            index.remove(key);
        }
    }
}
