package io.gatewayworker.host.gateway;

import io.gatewayworker.api.Nullable;
import io.gatewayworker.host.config.ListenerConfig;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The worker links of a gateway and the choice of a worker for a client: among the open links that
 * serve the client's app, the one with the fewest bound clients. A client stays bound to its worker
 * while the link lives, so its events stay in order.
 *
 * <p>Clients whose app no worker serves wait here (bounded per app); every change of the links wakes
 * them to try again.
 *
 * <p>Thread-safe. The list of links is copy-on-write: {@link #pick} reads it without locking.
 */
final class WorkerLinks {

    private volatile List<WorkerLink> links = List.of();
    private final ConcurrentLinkedQueue<ClientConnection> waiting = new ConcurrentLinkedQueue<>();
    private final ConcurrentHashMap<String, AtomicInteger> waitingPerApp = new ConcurrentHashMap<>();

    synchronized void add(WorkerLink link) {
        List<WorkerLink> next = new ArrayList<>(links);
        next.add(link);
        links = List.copyOf(next);
        wakeWaiting();
    }

    synchronized void remove(WorkerLink link) {
        List<WorkerLink> next = new ArrayList<>(links);
        next.remove(link);
        links = List.copyOf(next);
        wakeWaiting();
    }

    /** A link's apps changed. */
    void updated() {
        wakeWaiting();
    }

    List<WorkerLink> all() {
        return links;
    }

    /** The least-loaded open link serving {@code app}, or null. */
    @Nullable
    WorkerLink pick(String app) {
        WorkerLink best = null;
        for (WorkerLink link : links) {
            if (link.serves(app) && (best == null || link.bound() < best.bound())) {
                best = link;
            }
        }
        return best;
    }

    /**
     * The app of a listener: the configured one; else the only app the workers serve; else
     * {@link ListenerConfig#DEFAULT_APP} when they serve several; null while they serve none.
     */
    @Nullable
    String resolveApp(@Nullable String configured) {
        if (configured != null) {
            return configured;
        }
        Set<String> apps = new LinkedHashSet<>();
        for (WorkerLink link : links) {
            if (link.isLive()) {
                link.apps().forEach(a -> apps.add(a.getId()));
            }
        }
        if (apps.isEmpty()) {
            return null;
        }
        return apps.size() == 1 ? apps.iterator().next() : ListenerConfig.DEFAULT_APP;
    }

    /** Whether a worker is linked (and not stopping). */
    boolean anyOpen() {
        for (WorkerLink link : links) {
            if (link.isLive()) {
                return true;
            }
        }
        return false;
    }

    /** Whether an open link knows the app (serving it, or starting or reloading it). */
    boolean knows(String app) {
        for (WorkerLink link : links) {
            if (link.isLive() && link.apps().stream().anyMatch(a -> a.getId().equals(app))) {
                return true;
            }
        }
        return false;
    }

    /** Every app some open link knows (serving or not). */
    Set<String> knownApps() {
        Set<String> apps = new LinkedHashSet<>();
        for (WorkerLink link : links) {
            link.apps().forEach(a -> apps.add(a.getId()));
        }
        return apps;
    }

    /** Parks a client until the links change. Returns false when its app already has too many waiting. */
    void await(ClientConnection client) {
        waiting.add(client);
    }

    int waitingFor(String app) {
        AtomicInteger n = waitingPerApp.get(app == null ? "" : app);
        return n == null ? 0 : n.get();
    }

    void countWaiting(String app, int delta) {
        waitingPerApp.computeIfAbsent(app == null ? "" : app, a -> new AtomicInteger()).addAndGet(delta);
    }

    private void wakeWaiting() {
        ClientConnection c;
        List<ClientConnection> woken = new ArrayList<>();
        while ((c = waiting.poll()) != null) {
            woken.add(c);
        }
        for (ClientConnection client : woken) {
            client.loop().execute(client::retryWaiting);
        }
    }
}
