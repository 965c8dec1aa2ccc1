package io.gatewayworker.host.worker;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The open links of a worker, by gateway: a client id's gateway part finds its link here. Thread-safe;
 * the list for broadcasts is copy-on-write.
 */
final class GatewayDirectory {

    private final ConcurrentHashMap<Long, GatewayLink> byKey = new ConcurrentHashMap<>();
    private volatile List<GatewayLink> all = List.of();

    GatewayLink get(long gatewayKey) {
        return byKey.get(gatewayKey);
    }

    List<GatewayLink> all() {
        return all;
    }

    synchronized void add(GatewayLink link) {
        GatewayLink old = byKey.put(link.address().key(), link);
        List<GatewayLink> next = new ArrayList<>(all);
        if (old != null) {
            next.remove(old);
        }
        next.add(link);
        all = List.copyOf(next);
    }

    synchronized void remove(GatewayLink link) {
        byKey.remove(link.address().key(), link);
        List<GatewayLink> next = new ArrayList<>(all);
        next.remove(link);
        all = List.copyOf(next);
    }
}
