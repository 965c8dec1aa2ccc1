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
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A role's link to one register. It sends {@code hello} on connect, hands every {@link GatewayList} to
 * a consumer (and an empty list when the link is lost: that register knows nothing for now), and
 * reconnects with a backoff from {@value #FIRST_RETRY_MILLIS} ms to {@value #MAX_RETRY_MILLIS} ms while
 * it is open: a gateway announces itself this way, a worker or push client learns the gateways. A
 * register that restarts is thus told again within a couple of seconds.
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
                }
                case GATEWAY_LIST -> onGateways.accept(msg.getGatewayList().getAddressesList());
                case REFUSED -> log.error("The register at {} refused this {}: {}", registerAddress, hello.getRole(),
                        msg.getRefused().getReason());
                case PING -> LinkProtocol.pong(ctx, msg.getPing());
                default -> log.debug("Register link: ignoring {}", msg.getBodyCase());
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
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
