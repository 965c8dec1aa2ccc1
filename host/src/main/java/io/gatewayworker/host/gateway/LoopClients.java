package io.gatewayworker.host.gateway;

import io.netty.channel.EventLoop;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The accepted clients of one event loop, by app: a broadcast hands each loop one task that walks its
 * own set.
 *
 * <p>Loop-confined: every method runs on {@link #loop()}.
 */
final class LoopClients {

    private final EventLoop loop;
    private final Map<String, Set<ClientConnection>> byApp = new HashMap<>();

    LoopClients(EventLoop loop) {
        this.loop = loop;
    }

    EventLoop loop() {
        return loop;
    }

    void add(String app, ClientConnection connection) {
        byApp.computeIfAbsent(app, a -> new LinkedHashSet<>()).add(connection);
    }

    void remove(String app, ClientConnection connection) {
        Set<ClientConnection> set = byApp.get(app);
        if (set != null && set.remove(connection) && set.isEmpty()) {
            byApp.remove(app);
        }
    }

    Set<ClientConnection> ofApp(String app) {
        Set<ClientConnection> set = byApp.get(app);
        return set == null ? Collections.emptySet() : set;
    }
}
