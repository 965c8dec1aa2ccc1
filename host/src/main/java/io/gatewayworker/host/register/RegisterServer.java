package io.gatewayworker.host.register;

import io.gatewayworker.host.link.InternalNetwork;
import io.gatewayworker.host.link.LinkInitializer;
import io.gatewayworker.host.link.LinkProtocol;
import io.gatewayworker.host.transport.EventLoops;
import io.gatewayworker.host.transport.InternalAddress;
import io.gatewayworker.host.transport.Transport;
import io.gatewayworker.proto.link.v1.ClusterView;
import io.gatewayworker.proto.link.v1.Envelope;
import io.gatewayworker.proto.link.v1.Member;
import io.gatewayworker.proto.link.v1.Reload;
import io.gatewayworker.proto.link.v1.ReloadResult;
import io.gatewayworker.proto.link.v1.Report;
import io.gatewayworker.proto.link.v1.GatewayList;
import io.gatewayworker.proto.link.v1.Hello;
import io.gatewayworker.proto.link.v1.Role;
import io.gatewayworker.proto.link.v1.Welcome;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Register role: gateways announce their internal address to it; workers and push clients
 * subscribe and receive the list of gateway addresses, again after every change. Its state is soft:
 * after a restart, gateways announce themselves again and workers subscribe again (their links to it
 * reconnect with a backoff), so several registers, each told everything, are all the redundancy needed.
 *
 * <p>It listens on TCP at its internal address (other processes) and on the in-JVM transport (roles of
 * its own process).
 *
 * <p>For operators it keeps each member's latest {@link Report} and answers a ClusterQuery with the
 * cluster as it sees it, and it runs rolling reloads: one worker after the other, each asked to
 * {@link Reload} and answering with its result, stopping at the first failure.
 *
 * <p><b>Threads.</b> Links run on their transport's loops; every change of the register's state is
 * handed to one loop ({@code state}) and confined to it: no locks. Writes to links are thread-safe.
 */
public final class RegisterServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RegisterServer.class);

    /** A subscriber, as its Hello named it. */
    public record Subscriber(Role role, String name, String remote) {
    }

    private final EventLoops loops;
    private final InternalNetwork network;
    private final InternalAddress address;
    private final java.util.concurrent.Executor state;
    private final List<Channel> servers = new ArrayList<>();
    private volatile InetSocketAddress tcpAddress;

    /** State loop only: gateway links and their addresses. */
    private final Map<Channel, String> gateways = new LinkedHashMap<>();
    /** State loop only: worker and push-client links. */
    private final Map<Channel, Subscriber> subscribers = new LinkedHashMap<>();
    /** State loop only: each member's latest report and when it came ({@link System#nanoTime()}). */
    private final Map<Channel, Report> reports = new java.util.HashMap<>();
    private final Map<Channel, Long> reportedAt = new java.util.HashMap<>();
    /** State loop only: the rolling reload in progress, or null. */
    private Rolling rolling;
    private long reloadIds;
    /** How long one worker may take for its part of a rolling reload. */
    static final long WORKER_RELOAD_TIMEOUT_MILLIS = java.util.concurrent.TimeUnit.MINUTES.toMillis(5);

    /**
     * @param address where the register listens on TCP (port 0: one the system picks); in-JVM roles reach
     *        it under this name
     */
    public RegisterServer(InternalNetwork network, InternalAddress address) {
        this(network, address, network.loops().linkLoop(Transport.LOCAL));
    }

    /** With the executor that runs every change of the state (tests run them at once). */
    RegisterServer(InternalNetwork network, InternalAddress address, java.util.concurrent.Executor state) {
        this.network = network;
        this.loops = network.loops();
        this.address = address;
        this.state = state;
    }

    /** Binds the register's TCP and in-JVM endpoints; completes when both are bound. */
    public CompletableFuture<Void> start() {
        CompletableFuture<Void> tcp = bind(Transport.TCP, address.socketAddress(Transport.TCP, "", "register"));
        CompletableFuture<Void> local = bind(Transport.LOCAL, network.local("register", address));
        network.registerHere(address);
        return CompletableFuture.allOf(tcp, local);
    }

    private CompletableFuture<Void> bind(Transport transport, SocketAddress at) {
        CompletableFuture<Void> bound = new CompletableFuture<>();
        LinkInitializer.Tcp tcp = transport == Transport.TCP ? network.tcp(true, "register " + address) : null;
        ChannelFuture bind = loops.internalServer(transport)
                .childHandler(new LinkInitializer(transport, this::newHandler, "RegisterHandler", tcp))
                .bind(at);
        bind.addListener((ChannelFutureListener) f -> {
            if (f.isSuccess()) {
                synchronized (servers) {
                    servers.add(f.channel());
                }
                if (transport == Transport.TCP) {
                    tcpAddress = (InetSocketAddress) f.channel().localAddress();
                    log.info("Register listening on {} (TCP)", tcpAddress.getAddress().getHostAddress() + ":" + tcpAddress.getPort());
                }
                bound.complete(null);
            } else {
                bound.completeExceptionally(new IllegalStateException("register cannot listen on " + address + " ("
                        + transport + "): " + f.cause().getMessage() + " (is another register using the port? set"
                        + " register.address)", f.cause()));
            }
        });
        return bound;
    }

    /** The TCP address the register listens on (the port the system picked when it was 0), or null. */
    public InetSocketAddress tcpAddress() {
        return tcpAddress;
    }

    /** The internal address this register was configured with. */
    public InternalAddress address() {
        return address;
    }

    /** The gateway addresses now known. Any thread; waits for the state loop. */
    public List<String> gatewayAddresses() {
        return CompletableFuture.supplyAsync(() -> List.copyOf(new LinkedHashSet<>(gateways.values())), state).join();
    }

    /** The workers and push clients subscribed now. Any thread; waits for the state loop. */
    public List<Subscriber> subscribers() {
        return CompletableFuture.supplyAsync(() -> List.copyOf(subscribers.values()), state).join();
    }

    /** The cluster as this register sees it. Any thread. */
    public CompletableFuture<ClusterView> view() {
        return CompletableFuture.supplyAsync(() -> view(0), state);
    }

    /**
     * Reloads {@code app} (every app when empty) on every worker, one at a time; {@code each} gets each
     * worker's result (the last with {@code done}), on the register's state loop. Any thread.
     */
    public void rollingReload(String app, Consumer<ReloadResult> each) {
        state.execute(() -> startRolling(app, each));
    }

    /** State loop. */
    private ClusterView view(long id) {
        ClusterView.Builder view = ClusterView.newBuilder().setId(id).setRegister(address.toString());
        long now = System.nanoTime();
        for (Map.Entry<Channel, String> g : gateways.entrySet()) {
            view.addMembers(member(Role.GATEWAY, g.getValue(), g.getKey(), now));
        }
        for (Map.Entry<Channel, Subscriber> w : subscribers.entrySet()) {
            view.addMembers(member(w.getValue().role(), "", w.getKey(), now));
        }
        return view.build();
    }

    private Member member(Role role, String memberAddress, Channel channel, long now) {
        Member.Builder m = Member.newBuilder().setRole(role).setAddress(memberAddress)
                .setRemote(String.valueOf(channel.remoteAddress()));
        Report report = reports.get(channel);
        if (report != null) {
            m.setReport(report).setReportAgeMillis(TimeUnit.NANOSECONDS.toMillis(now - reportedAt.get(channel)));
        } else {
            Subscriber s = subscribers.get(channel);
            if (s != null) {
                m.setReport(Report.newBuilder().setName(s.name()));
            }
        }
        return m.build();
    }

    // ------------------------------------------------------------------ rolling reload (state loop)

    /** A rolling reload: the workers still to do, the one doing it now, and who asked. */
    private final class Rolling {
        final String app;
        final Consumer<ReloadResult> asker;
        final java.util.ArrayDeque<Channel> todo;
        Channel current;
        String currentName;
        long requestId;
        ScheduledFuture<?> timeout;

        Rolling(String app, Consumer<ReloadResult> asker, java.util.ArrayDeque<Channel> todo) {
            this.app = app;
            this.asker = asker;
            this.todo = todo;
        }
    }

    private void startRolling(String app, Consumer<ReloadResult> asker) {
        String what = app.isEmpty() ? "every app" : "app " + app;
        if (rolling != null) {
            asker.accept(ReloadResult.newBuilder().setDone(true).setWorker("register " + address)
                    .addLines("a rolling reload of " + (rolling.app.isEmpty() ? "every app" : rolling.app)
                            + " is in progress (worker " + rolling.currentName + "); try again when it is over").build());
            return;
        }
        java.util.ArrayDeque<Channel> workers = new java.util.ArrayDeque<>();
        subscribers.entrySet().stream().filter(e -> e.getValue().role() == Role.WORKER)
                .sorted(java.util.Comparator.comparing(e -> e.getValue().name()))
                .forEach(e -> workers.add(e.getKey()));
        if (workers.isEmpty()) {
            asker.accept(ReloadResult.newBuilder().setDone(true).setWorker("register " + address)
                    .addLines("no worker is linked to this register: nothing to reload").build());
            return;
        }
        log.info("Register: rolling reload of {} on {} worker(s), one at a time", what, workers.size());
        rolling = new Rolling(app, asker, workers);
        nextWorker();
    }

    private void nextWorker() {
        Rolling r = rolling;
        Channel next;
        while ((next = r.todo.poll()) != null && !next.isActive()) {
            // gone meanwhile
        }
        if (next == null) {
            finishRolling(null);
            return;
        }
        r.current = next;
        r.currentName = subscribers.containsKey(next) ? subscribers.get(next).name() : String.valueOf(next.remoteAddress());
        r.requestId = ++reloadIds;
        next.writeAndFlush(Envelope.newBuilder().setReload(Reload.newBuilder().setId(r.requestId).setApp(r.app)).build(),
                next.voidPromise());
        long id = r.requestId;
        r.timeout = loops.nextIo().schedule(() -> state.execute(() -> {
            if (rolling == r && r.requestId == id) {
                workerDone(ReloadResult.newBuilder().setWorker(r.currentName).setOk(false)
                        .addLines("no answer within " + TimeUnit.MILLISECONDS.toSeconds(WORKER_RELOAD_TIMEOUT_MILLIS)
                                + " s; the rolling reload stops here").build());
            }
        }), WORKER_RELOAD_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** A worker answered (or failed to): pass it on, then go on with the next one, or stop. */
    private void workerDone(ReloadResult result) {
        Rolling r = rolling;
        if (r.timeout != null) {
            r.timeout.cancel(false);
        }
        boolean last = !result.getOk() || r.todo.isEmpty();
        log.info("Register: rolling reload, worker {}: {}", result.getWorker(), result.getOk() ? "done" : "failed: "
                + String.join("; ", result.getLinesList()));
        r.asker.accept(result.toBuilder().setDone(last).build());
        if (last) {
            if (!result.getOk() && !r.todo.isEmpty()) {
                log.warn("Register: rolling reload stopped; {} worker(s) keep the version they run", r.todo.size());
            }
            rolling = null;
        } else {
            nextWorker();
        }
    }

    private void finishRolling(ReloadResult last) {
        Rolling r = rolling;
        rolling = null;
        r.asker.accept(last != null ? last : ReloadResult.newBuilder().setDone(true).setOk(true)
                .setWorker("register " + address).addLines("the workers left before their turn").build());
    }

    /** State loop: a message from a member after its Hello. */
    private void received(Channel channel, Envelope msg) {
        switch (msg.getBodyCase()) {
            case REPORT -> {
                if (gateways.containsKey(channel) || subscribers.containsKey(channel)) {
                    reports.put(channel, msg.getReport());
                    reportedAt.put(channel, System.nanoTime());
                }
            }
            case CLUSTER_QUERY -> channel.writeAndFlush(Envelope.newBuilder()
                    .setClusterView(view(msg.getClusterQuery().getId())).build(), channel.voidPromise());
            case ROLLING_RELOAD -> {
                long askerId = msg.getRollingReload().getId();
                startRolling(msg.getRollingReload().getApp(), result -> channel.writeAndFlush(Envelope.newBuilder()
                        .setReloadResult(result.toBuilder().setId(askerId)).build(), channel.voidPromise()));
            }
            case RELOAD_RESULT -> {
                Rolling r = rolling;
                if (r != null && r.current == channel && msg.getReloadResult().getId() == r.requestId) {
                    workerDone(msg.getReloadResult());
                }
            }
            default -> log.debug("Register: ignoring {} from {}", msg.getBodyCase(), channel.remoteAddress());
        }
    }

    @Override
    public void close() {
        List<Channel> bound;
        synchronized (servers) {
            bound = new ArrayList<>(servers);
        }
        for (Channel s : bound) {
            s.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        CompletableFuture.runAsync(() -> {
            List<Channel> all = new ArrayList<>(gateways.keySet());
            all.addAll(subscribers.keySet());
            all.forEach(Channel::close);
        }, state).exceptionally(e -> null).join();
    }

    /** A handler for one register link; used by the server's pipelines and by tests. */
    io.netty.channel.ChannelHandler newHandler() {
        return new Handler();
    }

    private Envelope list() {
        return Envelope.newBuilder()
                .setGatewayList(GatewayList.newBuilder().addAllAddresses(new LinkedHashSet<>(gateways.values())))
                .build();
    }

    /** State loop. */
    private void broadcastList() {
        Envelope list = list();
        for (Channel subscriber : subscribers.keySet()) {
            subscriber.writeAndFlush(list); // a failure (the subscriber is leaving) needs no handling
        }
    }

    /** State loop: a greeted link. */
    private void joined(Channel channel, Hello hello, String gatewayAddress) {
        if (!channel.isActive()) {
            return; // gone before its turn
        }
        Welcome.Builder welcome = Welcome.newBuilder().setProtocolVersion(LinkProtocol.VERSION).setName("register " + address);
        if (gatewayAddress != null) {
            for (Map.Entry<Channel, String> e : new ArrayList<>(gateways.entrySet())) {
                if (e.getValue().equals(gatewayAddress)) {
                    log.warn("Register: gateway {} announced again from a new link; dropping the old one", gatewayAddress);
                    gateways.remove(e.getKey());
                    e.getKey().close();
                }
            }
            gateways.put(channel, gatewayAddress);
            channel.writeAndFlush(Envelope.newBuilder().setWelcome(welcome).build(), channel.voidPromise());
            log.info("Register: gateway {} joined ({} gateways)", gatewayAddress, gateways.size());
            broadcastList();
        } else {
            subscribers.put(channel, new Subscriber(hello.getRole(), hello.getName(), String.valueOf(channel.remoteAddress())));
            channel.write(Envelope.newBuilder().setWelcome(welcome).build(), channel.voidPromise());
            channel.writeAndFlush(list(), channel.voidPromise());
            log.debug("Register: {} {} subscribed", hello.getRole(), hello.getName());
        }
    }

    /** State loop: a link is gone. */
    private void left(Channel channel) {
        reports.remove(channel);
        reportedAt.remove(channel);
        Rolling r = rolling;
        if (r != null && r.current == channel) {
            workerDone(ReloadResult.newBuilder().setWorker(r.currentName).setOk(false)
                    .addLines("the worker left during its reload; the rolling reload stops here").build());
        }
        String gateway = gateways.remove(channel);
        if (gateway != null) {
            log.info("Register: gateway {} left ({} gateways)", gateway, gateways.size());
            broadcastList();
        }
        subscribers.remove(channel);
    }

    /** One per link. Runs on the link's loop; state changes go to the state loop. */
    private final class Handler extends SimpleChannelInboundHandler<Envelope> {
        private boolean greeted;
        private ScheduledFuture<?> helloTimeout;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            helloTimeout = ctx.executor().schedule(() -> {
                log.warn("Register: link from {} sent no Hello within {} ms; closing it",
                        ctx.channel().remoteAddress(), LinkProtocol.HELLO_TIMEOUT_MILLIS);
                ctx.close();
            }, LinkProtocol.HELLO_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            ctx.fireChannelActive();
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Envelope msg) {
            if (!greeted) {
                if (!msg.hasHello()) {
                    refuse(ctx, "expected Hello as the first message, got " + msg.getBodyCase());
                    return;
                }
                hello(ctx, msg.getHello());
                return;
            }
            switch (msg.getBodyCase()) {
                case PING -> LinkProtocol.pong(ctx, msg.getPing());
                case PONG -> { }
                default -> {
                    Channel channel = ctx.channel();
                    state.execute(() -> received(channel, msg));
                }
            }
        }

        private void hello(ChannelHandlerContext ctx, Hello hello) {
            helloTimeout.cancel(false);
            String mismatch = LinkProtocol.versionMismatch(hello.getProtocolVersion(), "register");
            if (mismatch != null) {
                refuse(ctx, mismatch);
                return;
            }
            Channel channel = ctx.channel();
            switch (hello.getRole()) {
                case GATEWAY -> {
                    String gatewayAddress;
                    try {
                        gatewayAddress = InternalAddress.parse(hello.getGatewayAddress()).toString();
                    } catch (IllegalArgumentException e) {
                        refuse(ctx, e.getMessage());
                        return;
                    }
                    greeted = true;
                    state.execute(() -> joined(channel, hello, gatewayAddress));
                }
                case WORKER, PUSH_CLIENT -> {
                    greeted = true;
                    state.execute(() -> joined(channel, hello, null));
                }
                default -> refuse(ctx, "unknown role " + hello.getRole());
            }
        }

        private void refuse(ChannelHandlerContext ctx, String reason) {
            LinkProtocol.refuse(ctx, log, "Register", reason);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (helloTimeout != null) {
                helloTimeout.cancel(false);
            }
            Channel channel = ctx.channel();
            state.execute(() -> left(channel));
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof java.nio.channels.ClosedChannelException) {
                log.debug("Register: link from {} closed: {}", ctx.channel().remoteAddress(), cause.toString());
            } else {
                log.warn("Register: link from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
            }
            ctx.close();
        }
    }
}
