package io.gatewayworker.host.worker;

import io.gatewayworker.host.transport.InternalAddress;
import io.gatewayworker.proto.link.v1.ClientEvent;
import io.gatewayworker.proto.link.v1.Envelope;
import io.gatewayworker.proto.link.v1.Expired;
import io.gatewayworker.proto.link.v1.Kept;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a worker knows of one gateway, across its links: the clients of that gateway this worker serves,
 * and the gateway's run (a restarted gateway has another).
 *
 * <p><b>Lease.</b> When the link goes, the clients are kept for {@code cluster.lease}: a link that comes
 * back to the same run within it carries on ({@link #linked}: the worker tells the gateway which clients
 * it kept, and the gateway answers with those it moved meanwhile, {@code Released}, to forget without a
 * callback). When the lease ends first, or the gateway comes back as another run, {@code onClose} runs
 * once for each client ({@link #expire}); the connections given up are remembered for that run, so that a
 * gateway that comes back late closes them ({@code Expired}) and no event of theirs reaches the app again.
 * A graceful stop forgets the clients without callbacks: the gateways move them to other workers.
 *
 * <p>Thread-safe: link loops deliver events and link changes, the worker's control loop runs the lease;
 * the state changes are synchronized on this object (they are rare), the client map is concurrent.
 */
final class GatewayPeer {

    private static final Logger log = LoggerFactory.getLogger(GatewayPeer.class);

    private final InternalAddress address;
    private final ConcurrentHashMap<Integer, ClientState> clients = new ConcurrentHashMap<>();
    /** Connections given up when a lease ended, of {@link #run}: their events are dropped. */
    private final Set<Integer> givenUp = ConcurrentHashMap.newKeySet();
    private long run;
    private volatile GatewayLink link;
    private ScheduledFuture<?> lease;

    GatewayPeer(InternalAddress address) {
        this.address = address;
    }

    InternalAddress address() {
        return address;
    }

    ConcurrentHashMap<Integer, ClientState> clients() {
        return clients;
    }

    /** The open link to this gateway, or null. */
    GatewayLink link() {
        return link;
    }

    /** Whether the app gave this connection up (its lease ended): its events are dropped. */
    boolean givenUp(int connection) {
        return !givenUp.isEmpty() && givenUp.contains(connection);
    }

    /**
     * A link to this gateway opened (its Welcome came) with the gateway's {@code run}. The same run within
     * the lease: the kept clients carry on over the new link, and the gateway hears which ones (Kept). The
     * same run after the lease: the gateway hears which clients were given up (Expired). Another run: the
     * gateway restarted, so its clients are gone; onClose runs for those still kept. Link loop.
     */
    synchronized void linked(GatewayLink opened, long gatewayRun) {
        if (run != 0 && run != gatewayRun) {
            if (!clients.isEmpty()) {
                log.info("Gateway {} restarted: its {} client(s) of the previous run are gone", address, clients.size());
                expire();
            }
            givenUp.clear();
        }
        run = gatewayRun;
        cancelLease();
        link = opened;
        opened.peer(this);
        if (!clients.isEmpty()) {
            Kept.Builder kept = Kept.newBuilder().setRun(run);
            for (ClientState state : clients.values()) {
                state.switchTo(opened); // before any event that comes on the new link
                kept.addConnections(state.connection());
            }
            log.info("Link to gateway {} is back within the lease: {} client(s) carry on", address, kept.getConnectionsCount());
            opened.out().add(Envelope.newBuilder().setKept(kept).build());
        }
        if (!givenUp.isEmpty()) {
            opened.out().add(Envelope.newBuilder().setExpired(Expired.newBuilder().setRun(run).addAllConnections(givenUp)).build());
        }
    }

    /**
     * The link {@code lost} closed. Unless a newer link replaced it meanwhile, the clients are kept for
     * {@code leaseMillis} (0: onClose now), run by {@code scheduler}. Link loop.
     */
    synchronized void unlinked(GatewayLink lost, long leaseMillis, java.util.concurrent.ScheduledExecutorService scheduler) {
        if (link != lost) {
            return;
        }
        link = null;
        if (clients.isEmpty()) {
            return;
        }
        if (leaseMillis <= 0) {
            expire();
            return;
        }
        log.warn("Keeping the {} client(s) of gateway {} for {} ms (cluster.lease): if the link comes back by then,"
                + " they carry on; if not, onClose runs for each", clients.size(), address, leaseMillis);
        cancelLease();
        lease = scheduler.schedule(this::leaseEnded, leaseMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    private synchronized void leaseEnded() {
        lease = null;
        if (link != null || clients.isEmpty()) {
            return;
        }
        log.warn("The link to gateway {} did not come back within the lease: onClose for its {} client(s)", address,
                clients.size());
        for (ClientState state : clients.values()) {
            givenUp.add(state.connection());
        }
        expire();
    }

    /** onClose for every client still kept, each once: out of the map, a CLOSE in its mailbox. */
    private void expire() {
        ClientEvent close = ClientEvent.newBuilder().setType(ClientEvent.Type.CLOSE).build();
        List<ClientState> all = new ArrayList<>(clients.values());
        for (ClientState state : all) {
            clients.remove(state.connection(), state);
            state.expire(close.toBuilder().setConnection(state.connection()).setApp(state.info().getApp()).build());
        }
    }

    /** Forgets every client without a callback: this worker is stopping and the gateway moves them. */
    synchronized void forget() {
        cancelLease();
        link = null;
        clients.clear();
    }

    /** The gateway moved this client to another worker (or another worker hears of its close): forget it. */
    void released(int connection) {
        ClientState state = clients.remove(connection);
        if (state != null) {
            log.debug("Client {} moved to another worker", state.id());
        }
    }

    private void cancelLease() {
        if (lease != null) {
            lease.cancel(false);
            lease = null;
        }
    }

    @Override
    public String toString() {
        return "gateway " + address;
    }
}
