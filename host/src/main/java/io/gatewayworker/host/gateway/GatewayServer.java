package io.gatewayworker.host.gateway;

import io.gatewayworker.host.config.Limits;
import io.gatewayworker.host.config.ListenerConfig;
import io.gatewayworker.host.link.ClientId;
import io.gatewayworker.host.link.InternalNetwork;
import io.gatewayworker.host.link.LinkInitializer;
import io.gatewayworker.host.link.LinkProtocol;
import io.gatewayworker.host.link.RegisterLink;
import io.gatewayworker.host.link.Reports;
import io.gatewayworker.proto.link.v1.LinkReport;
import io.gatewayworker.proto.link.v1.Report;
import io.gatewayworker.host.transport.EventLoops;
import io.gatewayworker.host.transport.InternalAddress;
import io.gatewayworker.host.transport.Transport;
import io.gatewayworker.proto.link.v1.Barrier;
import io.gatewayworker.proto.link.v1.Body;
import io.gatewayworker.proto.link.v1.Envelope;
import io.gatewayworker.proto.link.v1.Hello;
import io.gatewayworker.proto.link.v1.Role;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Gateway role: an internal endpoint that workers link to, a link to the register announcing this
 * gateway's internal address, and the public listeners where clients connect.
 *
 * <p><b>Start:</b> {@link #start()} binds the internal endpoint and announces it;
 * {@link #startListeners()} opens the public listeners (the host calls it once a worker is linked, so
 * that "listening" means "serving").
 *
 * <p><b>Stop:</b> {@link #stopAccepting()}, {@link #closeClients(int, String)} (every client gets a
 * close frame; its worker gets {@code onClose}), {@link #drainWorkers(Duration)} (waits until the
 * workers have handled every event), then {@link #close()}.
 *
 * <p><b>Threads.</b> Client connections and worker links run on the host's I/O loops; see the package
 * documentation. Public methods may be called from any thread.
 */
public final class GatewayServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(GatewayServer.class);
    /**
     * Reads from a client of at most 16 KiB (Netty's default goes to 64 KiB): a client that floods then
     * takes no larger a turn of its event loop than one read of that size, and what one read brings is
     * what may wait on the gateway while the client is paused. Larger messages take more reads.
     */
    private static final AdaptiveRecvByteBufAllocator CLIENT_READS = new AdaptiveRecvByteBufAllocator(64, 1024, 16 * 1024);

    private final EventLoops loops;
    private final InternalNetwork network;
    private final InternalAddress bindAddress;
    private final InternalAddress advertise;
    private final List<InternalAddress> registerAddresses;
    private volatile InternalAddress internalAddress;
    private final Limits limits;
    private final List<Listener> listeners;
    private final ClientTable table;
    /** This run of the process, random: a worker that kept this gateway's clients knows a restart from a return. */
    private final long run = new java.security.SecureRandom().nextLong() | 1;
    private final java.util.concurrent.atomic.LongAdder handedOn = new java.util.concurrent.atomic.LongAdder();
    private final WorkerLinks links = new WorkerLinks();
    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private final Set<WireFormat> wireFormats;
    private final AtomicLong barrierIds = new AtomicLong();
    private final Map<Long, CompletableFuture<Void>> barriers = new ConcurrentHashMap<>();
    private final CompletableFuture<Void> allClientsClosed = new CompletableFuture<>();
    private volatile CompletableFuture<Void> noClients;
    private volatile boolean stopping;
    private final List<Channel> internal = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<RegisterLink> registers = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<ScheduledFuture<?>> heartbeats = new ArrayList<>();
    private final GatewayFlowWatch flowWatch;
    private final HeapGuard heapGuard;

    /**
     * @param bindAddress where the internal port for workers binds on TCP (port 0: one the system picks)
     * @param advertise what this gateway announces to the registers and encodes in its client ids; null:
     *        the bind address with the bound port (which must then not be 0.0.0.0)
     * @param registerAddresses the registers to announce this gateway to
     */
    public GatewayServer(InternalNetwork network, InternalAddress bindAddress, InternalAddress advertise,
                         List<InternalAddress> registerAddresses, List<ListenerConfig> listeners, Limits limits) {
        if (advertise == null && bindAddress.host().equals("0.0.0.0")) {
            throw new IllegalArgumentException("gateway.address " + bindAddress + " binds every interface: set"
                    + " gateway.advertise to the address workers and push clients should reach this gateway at");
        }
        this.network = network;
        this.loops = network.loops();
        this.bindAddress = bindAddress;
        this.advertise = advertise;
        this.registerAddresses = List.copyOf(registerAddresses);
        this.internalAddress = advertise != null ? advertise : bindAddress;
        this.limits = limits;
        this.listeners = listeners.stream().map(l -> new Listener(l, limits.maxConnectionsPerListener())).toList();
        this.wireFormats = this.listeners.stream().map(Listener::wire).collect(Collectors.toUnmodifiableSet());
        this.table = new ClientTable(internalAddress.ipv4(), internalAddress.port());
        this.flowWatch = new GatewayFlowWatch(links, table, limits.clientInFlight(), limits.stallTimeout(), this::flowReport);
        this.heapGuard = new HeapGuard(HEAP_HIGH, HEAP_LOW, this::memoryPressure);
    }

    /** Live heap after a collection, as a fraction of the maximum, at which the gateway defends itself. */
    static final double HEAP_HIGH = 0.75;
    static final double HEAP_LOW = 0.6;

    /**
     * The heap is at risk (true) or safe again (false): every worker holds its commands meanwhile, and
     * clients with a large backlog of output are dropped (each loop, now and every second while it lasts).
     */
    private void memoryPressure(boolean pressed) {
        for (WorkerLink link : links.all()) {
            link.memoryPressure(pressed);
        }
        if (pressed) {
            dropBacklogged();
        }
    }

    private void dropBacklogged() {
        long over = limits.maxPendingOutputBytes() / 4;
        for (LoopClients clients : table.loops()) {
            clients.loop().execute(() -> {
                int dropped = clients.dropBacklogged(over, "the heap is at risk and it had more than " + over
                        + " bytes waiting");
                if (dropped > 0) {
                    log.warn("Memory: dropped {} client(s) of {} with more than {} bytes of output waiting",
                            dropped, clients.loop(), over);
                }
            });
        }
    }

    /** Whether the gateway is defending its heap now. */
    public boolean memoryPressed() {
        return heapGuard.pressed();
    }

    /**
     * Binds the internal endpoint for workers (TCP, then the in-JVM one under the advertised address) and
     * announces this gateway to every register.
     */
    public CompletableFuture<Void> start() {
        return bind(Transport.TCP, bindAddress.socketAddress(Transport.TCP, "", "gateway")).thenCompose(tcp -> {
            if (advertise == null && bindAddress.port() == 0) {
                internalAddress = new InternalAddress(bindAddress.host(), ((InetSocketAddress) tcp.localAddress()).getPort());
            }
            table.address(internalAddress.ipv4(), internalAddress.port());
            network.gatewayHere(internalAddress);
            log.info("Gateway {} takes worker links on TCP {}{}", internalAddress, tcp.localAddress(),
                    advertise != null ? " (announced as " + advertise + ")" : "");
            return bind(Transport.LOCAL, network.local("gateway", internalAddress));
        }).thenRun(() -> {
            Hello hello = Hello.newBuilder().setProtocolVersion(LinkProtocol.VERSION).setRole(Role.GATEWAY)
                    .setName("gateway@" + internalAddress).setGatewayAddress(internalAddress.toString()).build();
            for (InternalAddress address : registerAddresses) {
                RegisterLink link = new RegisterLink(network, address, hello, list -> { }).reporter(this::report);
                registers.add(link);
                link.start();
            }
        });
    }

    private CompletableFuture<Channel> bind(Transport transport, SocketAddress at) {
        CompletableFuture<Channel> bound = new CompletableFuture<>();
        LinkInitializer.Tcp tcp = transport == Transport.TCP ? network.tcp(true, "worker link") : null;
        loops.internalServer(transport)
                .childHandler(new LinkInitializer(transport, () -> new WorkerLinkHandler(this), "WorkerLinkHandler", tcp))
                .bind(at)
                .addListener((ChannelFutureListener) f -> {
                    if (f.isSuccess()) {
                        internal.add(f.channel());
                        bound.complete(f.channel());
                    } else {
                        bound.completeExceptionally(new IllegalStateException("gateway cannot listen for workers on "
                                + bindAddress + " (" + transport + "): " + f.cause().getMessage()
                                + " (is another gateway using the port? set gateway.address)", f.cause()));
                    }
                });
        return bound;
    }

    /** This run of the gateway process (workers tell a restarted gateway from a returning one by it). */
    long run() {
        return run;
    }

    /** Opens every public listener; completes with their bound addresses, in configuration order. */
    public CompletableFuture<List<InetSocketAddress>> startListeners() {
        startHeartbeats();
        flowWatch.start(loops.io());
        heapGuard.start();
        heartbeats.add(loops.nextIo().scheduleAtFixedRate(() -> {
            heapGuard.poll();
            if (heapGuard.pressed()) {
                dropBacklogged();
            }
        }, 1, 1, TimeUnit.SECONDS));
        List<CompletableFuture<InetSocketAddress>> bound = new ArrayList<>();
        for (Listener listener : listeners) {
            CompletableFuture<InetSocketAddress> one = new CompletableFuture<>();
            bound.add(one);
            ListenerConfig config = listener.config();
            loops.publicServer()
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.ALLOCATOR, alloc)
                    .childOption(ChannelOption.RCVBUF_ALLOCATOR, CLIENT_READS)
                    .childHandler(new WebSocketListenerInitializer(this, listener))
                    .bind(new InetSocketAddress(config.host(), config.port()))
                    .addListener((ChannelFutureListener) f -> {
                        if (f.isSuccess()) {
                            listener.bound(f.channel());
                            String app = config.app() != null ? config.app() : links.resolveApp(null);
                            log.info("Listening on {} for app {}", listener.name(), app == null ? "(the only app)" : app);
                            one.complete(listener.address());
                        } else {
                            one.completeExceptionally(new IllegalStateException("cannot listen on " + config.url() + ": "
                                    + f.cause().getMessage() + " (is another server using the port? choose another with --listen)",
                                    f.cause()));
                        }
                    });
        }
        return CompletableFuture.allOf(bound.toArray(CompletableFuture[]::new))
                .thenApply(v -> bound.stream().map(CompletableFuture::join).toList());
    }

    /**
     * Starts, on each I/O loop, the task that pings the loop's silent clients and closes those silent
     * for too long ({@link Limits#pingInterval()}, {@link Limits#idleTimeout()}). It ticks four times per
     * the shorter of the two (between 50 ms and 5 s), so a ping or a close comes at most a quarter late.
     */
    private void startHeartbeats() {
        long ping = limits.pingInterval().toMillis();
        long idle = limits.idleTimeout().toMillis();
        if ((ping <= 0 && idle <= 0) || !heartbeats.isEmpty()) {
            return;
        }
        long shorter = ping <= 0 ? idle : idle <= 0 ? ping : Math.min(ping, idle);
        long tick = Math.clamp(shorter / 4, 50, 5_000);
        for (EventExecutor executor : loops.io()) {
            EventLoop loop = (EventLoop) executor;
            heartbeats.add(loop.scheduleAtFixedRate(() -> {
                try {
                    int closed = table.loop(loop).heartbeat(ClientConnection.clock(), ping, idle);
                    if (closed > 0) {
                        log.debug("Closed {} client(s) silent for {} ms or more", closed, idle);
                    }
                } catch (RuntimeException e) {
                    // A periodic task that throws is not run again: log and go on ticking.
                    log.error("Heartbeat of {} failed; it runs again at the next tick", loop, e);
                }
            }, tick, tick, TimeUnit.MILLISECONDS));
        }
    }

    /** Closes the public listeners: no new client is accepted. Existing clients stay. */
    public void stopAccepting() {
        stopping = true;
        for (Listener listener : listeners) {
            Channel c = listener.channel();
            if (c != null) {
                c.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * Closes every client with a close frame ({@code code}, {@code reason}); each accepted client's
     * worker gets {@code onClose}. Completes when every connection is gone.
     */
    public CompletableFuture<Void> closeClients(int code, String reason) {
        stopping = true;
        for (ClientConnection client : new ArrayList<>(table.all())) {
            client.loop().execute(() -> client.close(null, code, reason, false));
        }
        checkAllClosed();
        return allClientsClosed;
    }

    /**
     * Waits until every linked worker has handled every event sent to it (a barrier on each link), at
     * most {@code timeout}. Completes normally also on timeout, logging what did not finish.
     */
    public CompletableFuture<Void> drainWorkers(Duration timeout) {
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        for (WorkerLink link : links.all()) {
            long id = barrierIds.incrementAndGet();
            CompletableFuture<Void> done = new CompletableFuture<>();
            barriers.put(id, done);
            pending.add(done.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).exceptionally(e -> {
                log.warn("Worker {} did not finish its events within {} ms", link, timeout.toMillis());
                return null;
            }));
            link.out().add(Envelope.newBuilder().setBarrier(Barrier.newBuilder().setId(id)).build());
        }
        return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new));
    }

    void barrierDone(long id) {
        CompletableFuture<Void> done = barriers.remove(id);
        if (done != null) {
            done.complete(null);
        }
    }

    /** Events a lost worker had not confirmed, handed to another worker (marked redelivered). Any thread. */
    void handedOn(int events) {
        if (events > 0) {
            handedOn.add(events);
        }
    }

    /** Events handed to another worker after their worker was lost, since start. */
    public long handedOn() {
        return handedOn.sum();
    }

    void clientClosed() {
        if (stopping) {
            checkAllClosed();
        }
        CompletableFuture<Void> waiting = noClients;
        if (waiting != null && table.size() == 0) {
            waiting.complete(null);
        }
    }

    /** Completes when no client is connected any more (at once when none is). Any thread. */
    public CompletableFuture<Void> noClients() {
        CompletableFuture<Void> waiting = noClients;
        if (waiting == null) {
            synchronized (this) {
                if (noClients == null) {
                    noClients = new CompletableFuture<>();
                }
                waiting = noClients;
            }
        }
        if (table.size() == 0) {
            waiting.complete(null);
        }
        return waiting;
    }

    private void checkAllClosed() {
        if (table.size() == 0) {
            allClientsClosed.complete(null);
        }
    }

    @Override
    public void close() {
        stopping = true;
        heartbeats.forEach(h -> h.cancel(false));
        flowWatch.close();
        heapGuard.close();
        stopAccepting();
        registers.forEach(RegisterLink::close);
        for (WorkerLink link : links.all()) {
            link.channel().close();
        }
        for (Channel c : internal) {
            c.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
    }

    // ---------------------------------------------------------------- for operators

    /** One listener's figures, since start. */
    public record ListenerStats(String name, String app, String protocol, int connections, long messagesIn,
                                long messagesOut, long bytesIn, long bytesOut) {
    }

    /** One client, as {@code connections} shows it. */
    public record ClientRow(String id, String remote, String listener, String protocol, String app, String uid,
                            List<String> groups, int sessionBytes, long bytesIn, long bytesOut, long messagesIn,
                            long messagesOut, long idleMillis, String state) {
    }

    /** The listeners' figures. Any thread. */
    public List<ListenerStats> listenerStats() {
        List<ListenerStats> out = new ArrayList<>();
        for (Listener l : listeners) {
            String app = l.config().app() != null ? l.config().app() : links.resolveApp(null);
            out.add(new ListenerStats(l.name(), app == null ? "-" : app, l.protocol(), l.limiter().open(),
                    l.messagesIn.sum(), l.messagesOut.sum(), l.bytesIn.sum(), l.bytesOut.sum()));
        }
        return out;
    }

    /** Every client, each read on its own event loop. */
    public CompletableFuture<List<ClientRow>> connections() {
        long now = ClientConnection.clock();
        Map<io.netty.channel.EventLoop, List<ClientConnection>> byLoop = new java.util.IdentityHashMap<>();
        for (ClientConnection c : table.all()) {
            byLoop.computeIfAbsent(c.loop(), l -> new ArrayList<>()).add(c);
        }
        List<CompletableFuture<List<ClientRow>>> parts = new ArrayList<>();
        byLoop.forEach((loop, clients) -> parts.add(CompletableFuture.supplyAsync(() -> {
            List<ClientRow> rows = new ArrayList<>(clients.size());
            for (ClientConnection c : clients) {
                if (c.state() != ClientConnection.State.CLOSED) {
                    rows.add(c.row(now));
                }
            }
            return rows;
        }, loop)));
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(v -> {
            List<ClientRow> all = new ArrayList<>();
            parts.forEach(p -> all.addAll(p.join()));
            all.sort(java.util.Comparator.comparing(ClientRow::id));
            return all;
        });
    }

    /** The ids of the connected clients (for completion). Any thread. */
    public List<String> clientIds() {
        return table.all().stream().map(ClientConnection::id).sorted().toList();
    }

    /** Per app, per group, the number of members. */
    public CompletableFuture<Map<String, Map<String, Integer>>> groups() {
        return connections().thenApply(rows -> {
            Map<String, Map<String, Integer>> out = new java.util.TreeMap<>();
            for (ClientRow row : rows) {
                for (String group : row.groups()) {
                    out.computeIfAbsent(row.app() == null ? "-" : row.app(), a -> new java.util.TreeMap<>())
                            .merge(group, 1, Integer::sum);
                }
            }
            return out;
        });
    }

    /** Closes a client (1000 with {@code reason}); false when there is no such client. */
    public boolean kick(String clientId, String reason) {
        ClientConnection c = byId(clientId);
        if (c == null) {
            return false;
        }
        c.loop().execute(() -> c.close(null, 1000, reason, false));
        return true;
    }

    /** Sends a text message to one client; false when there is no such client. */
    public boolean send(String clientId, String text) {
        ClientConnection c = byId(clientId);
        if (c == null) {
            return false;
        }
        Body body = Body.newBuilder().setText(text).build();
        ByteBuf wire = c.listener().wire().encode(body, alloc);
        c.loop().execute(() -> c.write(wire));
        return true;
    }

    /** Sends a text message to every open client (of every app); returns how many. */
    public int broadcast(String text) {
        Body body = Body.newBuilder().setText(text).build();
        int n = 0;
        for (ClientConnection c : table.all()) {
            ByteBuf wire = c.listener().wire().encode(body, alloc);
            c.loop().execute(() -> c.write(wire));
            n++;
        }
        return n;
    }

    private ClientConnection byId(String clientId) {
        ClientId id;
        try {
            id = ClientId.parse(clientId);
        } catch (io.gatewayworker.api.GatewayException e) {
            return null;
        }
        if (id.ipv4() != internalAddress.ipv4() || id.port() != internalAddress.port()) {
            return null;
        }
        return table.get(id.connection());
    }

    // ---------------------------------------------------------------- for the package and status

    public InternalAddress internalAddress() {
        return internalAddress;
    }

    /** This gateway's state for the registers (the operator's view of the cluster). Any thread. */
    Report report() {
        Report.Builder r = Reports.of("gateway@" + internalAddress).setClients(table.size());
        for (Listener listener : listeners) {
            r.addListeners(listener.name());
        }
        for (WorkerLink link : links.all()) {
            r.addLinks(LinkReport.newBuilder().setPeer(link.name()).setClients(link.bound())
                    .setState(!link.isOpen() ? "closed" : link.draining() ? "draining" : "open"));
        }
        return r.build();
    }

    /** The links to the registers (the operator's questions to the cluster go through them). */
    public List<RegisterLink> registerLinks() {
        return List.copyOf(registers);
    }

    /** Connected clients (all states). */
    public int clientCount() {
        return table.size();
    }

    /** Names of the linked workers. */
    public List<String> workerNames() {
        return links.all().stream().map(WorkerLink::name).toList();
    }

    /** Bound public addresses, in configuration order (null for a listener not bound). */
    public List<InetSocketAddress> listenerAddresses() {
        return listeners.stream().map(Listener::address).toList();
    }

    /**
     * One line on flow control: credit per worker link, clients paused per reason, events waiting.
     * For diagnostics; reads loop-confined counters without synchronisation, so it is approximate.
     */
    public String flowReport() {
        StringBuilder sb = new StringBuilder();
        for (WorkerLink link : links.all()) {
            sb.append("worker ").append(link.name()).append(": credit ").append(link.credits())
                    .append(", queued ").append(link.out().size()).append(" (written ").append(link.out().written())
                    .append(link.out().scheduled() ? ", run scheduled" : "").append(link.out().writable() ? "" : ", not writable")
                    .append("), paused for in-flight ")
                    .append(link.flowPausedCount()).append(", bound ").append(link.bound())
                    .append(", work on client loops ").append(link.queuedWork()).append("; ");
        }
        int[] paused = new int[4];
        int reading = 0;
        int waiting = 0;
        for (ClientConnection c : table.all()) {
            int pauses = c.pauses();
            if (pauses == 0) {
                reading++;
            }
            for (int bit = 0; bit < paused.length; bit++) {
                if ((pauses & (1 << bit)) != 0) {
                    paused[bit]++;
                }
            }
            waiting += c.waitingEvents();
        }
        sb.append("clients reading ").append(reading).append(", paused for handshake ").append(paused[0])
                .append(", for credit ").append(paused[1]).append(", for events in flight ").append(paused[2])
                .append(", for no worker ").append(paused[3]).append("; events waiting for a worker ").append(waiting)
                .append("; stalls ").append(flowWatch.stalls());
        return sb.toString();
    }

    /** Stalls (missed wake-ups) the flow watch reported since start. */
    public long stalls() {
        return flowWatch.stalls();
    }

    /**
     * The most client events that waited at once for a worker on one link, over the links open now: the
     * bounds on events in flight keep it at or below the credit window.
     */
    public int peakEventsWaiting() {
        int peak = 0;
        for (WorkerLink link : links.all()) {
            peak = Math.max(peak, link.peakWaiting());
        }
        return peak;
    }

    /** The flow watch (for tests). */
    GatewayFlowWatch flowWatch() {
        return flowWatch;
    }

    boolean stopping() {
        return stopping;
    }

    Limits limits() {
        return limits;
    }

    ClientTable table() {
        return table;
    }

    WorkerLinks links() {
        return links;
    }

    List<Listener> listeners() {
        return listeners;
    }

    ByteBufAllocator alloc() {
        return alloc;
    }

    Collection<WireFormat> wireFormats() {
        return wireFormats;
    }
}
