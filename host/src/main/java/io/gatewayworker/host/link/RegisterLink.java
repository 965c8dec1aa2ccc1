package io.gatewayworker.host.link;

import io.gatewayworker.host.transport.EventLoops;
import io.gatewayworker.host.transport.InternalAddress;
import io.gatewayworker.host.transport.Transport;
import io.gatewayworker.proto.link.v1.Envelope;
import io.gatewayworker.proto.link.v1.GatewayList;
import io.gatewayworker.proto.link.v1.Hello;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;
import io.gatewayworker.proto.link.v1.ClusterQuery;
import io.gatewayworker.proto.link.v1.ClusterView;
import io.gatewayworker.proto.link.v1.Reload;
import io.gatewayworker.proto.link.v1.ReloadResult;
import io.gatewayworker.proto.link.v1.Report;
import io.gatewayworker.proto.link.v1.RollingReload;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A role's link to one register. It sends {@code hello} on connect, hands every {@link GatewayList} to
 * a consumer (and an empty list when the link is lost: that register knows nothing for now), and
 * reconnects with a backoff from {@value #FIRST_RETRY_MILLIS} ms to {@value #MAX_RETRY_MILLIS} ms while
 * it is open: a gateway announces itself this way, a worker or push client learns the gateways. A
 * register that restarts is thus told again within a couple of seconds.
 *
 * <p>For the operator's view of the cluster it also sends this process's {@link Report} when welcomed and
 * every {@value #REPORT_MILLIS} ms ({@link #reporter}), asks the register for the cluster ({@link #view}),
 * starts rolling reloads ({@link #rollingReload}), and, on a worker, carries out the register's
 * {@link Reload} requests ({@link #onReload}).
 *
 * <p><b>Threads.</b> Everything runs on one event loop chosen at construction, including the
 * consumer calls; the consumer must not block.
 */
public final class RegisterLink implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RegisterLink.class);

    /** First delay before reaching a register again. */
    static final long FIRST_RETRY_MILLIS = 250;
    /** Longest delay between attempts. */
    static final long MAX_RETRY_MILLIS = 2000;
    /** How often this process reports its state to the register. */
    public static final long REPORT_MILLIS = 2000;

    private final EventLoops loops;
    private final InternalNetwork network;
    private final Transport transport;
    private final SocketAddress register;
    private final InternalAddress registerAddress;
    private final Hello hello;
    private final Consumer<List<String>> onGateways;
    private final EventLoop loop;
    private final CompletableFuture<Void> welcomed = new CompletableFuture<>();
    private volatile boolean closed;
    private volatile Channel channel;
    private boolean warned;
    private long retryMillis = FIRST_RETRY_MILLIS;
    private volatile Supplier<Report> reporter;
    private volatile BiConsumer<Reload, Consumer<ReloadResult>> onReload;
    private final AtomicLong requestIds = new AtomicLong();
    /** Requests waiting for the register: views, and the results of rolling reloads. */
    private final ConcurrentHashMap<Long, Waiting> pending = new ConcurrentHashMap<>();

    /** A request waiting for the register: what to do with each answer, and when the link is lost. */
    private record Waiting(Consumer<Envelope> answer, Runnable lost) {
    }

    /**
     * @param hello the first message, naming this role
     * @param onGateways receives each gateway list (workers and push clients); may ignore it
     */
    public RegisterLink(InternalNetwork network, InternalAddress registerAddress, Hello hello,
                        Consumer<List<String>> onGateways) {
        this.network = network;
        this.loops = network.loops();
        InternalNetwork.Target target = network.register(registerAddress);
        this.transport = target.transport();
        this.register = target.address();
        this.registerAddress = registerAddress;
        this.hello = hello;
        this.onGateways = onGateways;
        this.loop = loops.linkLoop(transport);
    }

    /** Reports this process's state to the register (when welcomed, then every {@value #REPORT_MILLIS} ms). */
    public RegisterLink reporter(Supplier<Report> reporter) {
        this.reporter = reporter;
        return this;
    }

    /** Carries out the register's reload requests (a worker): reload, then answer through the consumer. */
    public RegisterLink onReload(BiConsumer<Reload, Consumer<ReloadResult>> onReload) {
        this.onReload = onReload;
        return this;
    }

    /** Whether the register welcomed this link and it is open now. */
    public boolean isLinked() {
        Channel c = channel;
        return c != null && c.isActive() && welcomed.isDone();
    }

    /** The cluster as the register sees it; fails when the register does not answer within {@code timeout}. */
    public CompletableFuture<ClusterView> view(java.time.Duration timeout) {
        CompletableFuture<ClusterView> view = new CompletableFuture<>();
        long id = requestIds.incrementAndGet();
        pending.put(id, new Waiting(msg -> view.complete(msg.getClusterView()), () -> view.completeExceptionally(
                new IllegalStateException("the link to the register at " + registerAddress + " was lost"))));
        view.whenComplete((v, e) -> pending.remove(id));
        if (!send(Envelope.newBuilder().setClusterQuery(ClusterQuery.newBuilder().setId(id)).build())) {
            view.completeExceptionally(new IllegalStateException("the register at " + registerAddress + " is not linked"));
        }
        return view.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Asks the register to reload {@code app} (every app when empty) on every worker, one at a time;
     * {@code each} gets the result of each worker as it comes. Completes after the last.
     */
    public CompletableFuture<Void> rollingReload(String app, Consumer<ReloadResult> each) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        long id = requestIds.incrementAndGet();
        pending.put(id, new Waiting(msg -> {
            ReloadResult result = msg.getReloadResult();
            each.accept(result);
            if (result.getDone()) {
                done.complete(null);
            }
        }, () -> done.completeExceptionally(new IllegalStateException("the link to the register at " + registerAddress
                + " was lost during the reload; its workers may still be reloading: see status"))));
        done.whenComplete((v, e) -> pending.remove(id));
        if (!send(Envelope.newBuilder().setRollingReload(RollingReload.newBuilder().setId(id).setApp(app)).build())) {
            done.completeExceptionally(new IllegalStateException("the register at " + registerAddress + " is not linked"));
        }
        return done;
    }

    private boolean send(Envelope msg) {
        Channel c = channel;
        if (c == null || !c.isActive() || !welcomed.isDone()) {
            return false;
        }
        c.writeAndFlush(msg, c.voidPromise());
        return true;
    }

    private void report(Channel c) {
        Supplier<Report> r = reporter;
        if (r == null || !c.isActive()) {
            return;
        }
        try {
            c.writeAndFlush(Envelope.newBuilder().setReport(r.get()).build(), c.voidPromise());
        } catch (RuntimeException e) {
            log.warn("Cannot report to the register: {}", e.toString());
        }
        c.eventLoop().schedule(() -> report(c), REPORT_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** The register this link reaches. */
    public InternalAddress registerAddress() {
        return registerAddress;
    }

    /** Starts connecting; the future completes when the register first welcomed this link. */
    public CompletableFuture<Void> start() {
        loop.execute(this::connect);
        return welcomed;
    }

    private void connect() {
        if (closed) {
            return;
        }
        loops.internalClient(transport, loop)
                .handler(new LinkInitializer(transport, Handler::new, "RegisterLinkHandler",
                        network.tcp(false, "register " + registerAddress)))
                .connect(register)
                .addListener((ChannelFutureListener) f -> {
                    if (f.isSuccess()) {
                        channel = f.channel();
                        return;
                    }
                    if (!warned) {
                        warned = true;
                        log.warn("Cannot reach the register at {} ({}); retrying", registerAddress,
                                f.cause().getMessage());
                    }
                    retry();
                });
    }

    private void retry() {
        if (!closed) {
            long delay = retryMillis;
            retryMillis = Math.min(MAX_RETRY_MILLIS, retryMillis * 2);
            loop.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void close() {
        closed = true;
        Channel c = channel;
        if (c != null) {
            c.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
    }

    private final class Handler extends SimpleChannelInboundHandler<Envelope> {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.writeAndFlush(Envelope.newBuilder().setHello(hello).build(), ctx.voidPromise());
            ctx.fireChannelActive();
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Envelope msg) {
            switch (msg.getBodyCase()) {
                case WELCOME -> {
                    if (warned) {
                        log.info("Reached the register at {}", registerAddress);
                        warned = false;
                    }
                    retryMillis = FIRST_RETRY_MILLIS;
                    welcomed.complete(null);
                    report(ctx.channel());
                }
                case GATEWAY_LIST -> onGateways.accept(msg.getGatewayList().getAddressesList());
                case CLUSTER_VIEW -> answered(msg.getClusterView().getId(), msg);
                case RELOAD_RESULT -> answered(msg.getReloadResult().getId(), msg);
                case RELOAD -> reload(ctx.channel(), msg.getReload());
                case REFUSED -> log.error("The register at {} refused this {}: {}", registerAddress, hello.getRole(),
                        msg.getRefused().getReason());
                case PING -> LinkProtocol.pong(ctx, msg.getPing());
                default -> log.debug("Register link: ignoring {}", msg.getBodyCase());
            }
        }

        private void answered(long id, Envelope msg) {
            Waiting waiting = pending.get(id);
            if (waiting != null) {
                waiting.answer().accept(msg);
            }
        }

        private void reload(Channel c, Reload request) {
            BiConsumer<Reload, Consumer<ReloadResult>> handler = onReload;
            if (handler == null) {
                c.writeAndFlush(Envelope.newBuilder().setReloadResult(ReloadResult.newBuilder().setId(request.getId())
                        .setWorker(hello.getName()).addLines("this process runs no worker")).build(), c.voidPromise());
                return;
            }
            handler.accept(request, result -> c.writeAndFlush(Envelope.newBuilder().setReloadResult(result).build(),
                    c.voidPromise()));
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            for (Waiting waiting : List.copyOf(pending.values())) {
                waiting.lost().run(); // its answers will not come on this link any more
            }
            if (!closed) {
                log.warn("Lost the register at {}; reconnecting", registerAddress);
                warned = true;
                onGateways.accept(List.of());
                retry();
            }
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.warn("Register link failed: {}", cause.toString());
            ctx.close();
        }
    }
}
