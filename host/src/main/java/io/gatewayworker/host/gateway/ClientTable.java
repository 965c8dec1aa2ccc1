package io.gatewayworker.host.gateway;

import io.gatewayworker.host.link.ClientId;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The gateway's connection table: gives each new client a connection number and id, finds a client by
 * number from any thread, and keeps, per event loop, the clients of each app (for broadcasts).
 *
 * <p><b>Connection numbers</b> start from a per-run offset, {@code (seconds since the epoch) << 12},
 * and wrap at 2^32, skipping numbers still in use. A restarted gateway therefore does not reuse the ids
 * of its previous run as long as that run handed out fewer than 4,096 connections per second on
 * average, so a stale id held by an app never reaches a new client.
 *
 * <p>Thread-safe: lookups and registration from any thread; each {@link LoopClients} is confined to its
 * loop. (The synchronized {@code addLoop} runs once per event loop, on a network thread.)
 */
final class ClientTable {

    // The gateway's advertised address, known once its internal port is bound (before any client comes).
    private volatile int ipv4;
    private volatile int port;
    private final int firstNumber;
    private final AtomicInteger next;
    private final ConcurrentHashMap<Integer, ClientConnection> byNumber = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<EventLoop, LoopClients> perLoop = new ConcurrentHashMap<>();
    private volatile List<LoopClients> loops = List.of();

    ClientTable(int ipv4, int port) {
        this(ipv4, port, (int) ((System.currentTimeMillis() / 1000) << 12));
    }

    ClientTable(int ipv4, int port, int firstNumber) {
        this.ipv4 = ipv4;
        this.port = port;
        this.firstNumber = firstNumber;
        this.next = new AtomicInteger(firstNumber);
    }

    /** The address client ids encode, once the gateway knows it (its internal port is bound). */
    void address(int ipv4, int port) {
        this.ipv4 = ipv4;
        this.port = port;
    }

    /** Gives a new client its number and id and enters it in the table. */
    int allocate(ClientConnection connection) {
        for (;;) {
            int number = next.getAndIncrement();
            if (byNumber.putIfAbsent(number, connection) == null) {
                return number;
            }
        }
    }

    String idOf(int number) {
        return ClientId.format(ipv4, port, number);
    }

    ClientConnection get(int number) {
        return byNumber.get(number);
    }

    void remove(ClientConnection connection) {
        byNumber.remove(connection.number(), connection);
    }

    int size() {
        return byNumber.size();
    }

    Collection<ClientConnection> all() {
        return byNumber.values();
    }

    /** The clients of one event loop; made the first time a loop has a client. */
    LoopClients loop(EventLoop loop) {
        LoopClients clients = perLoop.get(loop);
        return clients != null ? clients : addLoop(loop);
    }

    private synchronized LoopClients addLoop(EventLoop loop) {
        LoopClients clients = perLoop.get(loop);
        if (clients == null) {
            clients = new LoopClients(loop);
            perLoop.put(loop, clients);
            List<LoopClients> next = new ArrayList<>(loops);
            next.add(clients);
            loops = List.copyOf(next);
        }
        return clients;
    }

    /** Every loop that has had a client: a broadcast visits these. */
    List<LoopClients> loops() {
        return loops;
    }
}
