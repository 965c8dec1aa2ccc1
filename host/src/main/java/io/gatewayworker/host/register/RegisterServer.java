package io.gatewayworker.host.register;

import io.gatewayworker.host.link.LinkInitializer;
import io.gatewayworker.host.link.LinkProtocol;
import io.gatewayworker.host.transport.EventLoops;
import io.gatewayworker.host.transport.InternalAddress;
import io.gatewayworker.host.transport.Transport;
import io.gatewayworker.proto.link.v1.Envelope;
import io.gatewayworker.proto.link.v1.GatewayList;
import io.gatewayworker.proto.link.v1.Hello;
import io.gatewayworker.proto.link.v1.Welcome;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Register role: gateways announce their internal address to it; workers and push clients
 * subscribe and receive the list of gateway addresses, again after every change.
 *
 * <p><b>Threads.</b> Every link of the register runs on one event loop, chosen at start, and all its
 * state is confined to that loop: no locks.
 */
public final class RegisterServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RegisterServer.class);

    private final EventLoops loops;
    private final Transport transport;
    private final SocketAddress bindAddress;
    private final EventLoop loop;
    private volatile Channel server;

    /** Loop-confined: gateway links and their addresses. */
    private final Map<Channel, String> gateways = new LinkedHashMap<>();
    /** Loop-confined: worker and push-client links. */
    private final Set<Channel> subscribers = new LinkedHashSet<>();

    public RegisterServer(EventLoops loops, Transport transport, SocketAddress bindAddress) {
        this.loops = loops;
        this.transport = transport;
        this.bindAddress = bindAddress;
        this.loop = loops.linkLoop(transport);
    }

    /** Binds the register's endpoint; completes with the bound address. */
    public CompletableFuture<SocketAddress> start() {
        CompletableFuture<SocketAddress> started = new CompletableFuture<>();
        ChannelFuture bind = loops.internalServer(transport, loop)
                .childHandler(new LinkInitializer(transport, this::newHandler, "RegisterHandler"))
                .bind(bindAddress);
        bind.addListener((ChannelFutureListener) f -> {
            if (f.isSuccess()) {
                server = f.channel();
                log.info("Register listening on {} ({})", describe(f.channel().localAddress()), transport);
                started.complete(f.channel().localAddress());
            } else {
                started.completeExceptionally(new IllegalStateException(
                        "register cannot listen on " + describe(bindAddress) + ": " + f.cause().getMessage(), f.cause()));
            }
        });
        return started;
    }

    /** The gateway addresses now known. Any thread; waits for the register's loop. */
    public List<String> gatewayAddresses() {
        return CompletableFuture.supplyAsync(() -> List.copyOf(gateways.values()), loop).join();
    }

    @Override
    public void close() {
        Channel s = server;
        if (s != null) {
            s.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        CompletableFuture.runAsync(() -> {
            List<Channel> all = new ArrayList<>(gateways.keySet());
            all.addAll(subscribers);
            all.forEach(Channel::close);
        }, loop).exceptionally(e -> null).join();
    }

    /** A handler for one register link; used by the server's pipeline and by tests. */
    io.netty.channel.ChannelHandler newHandler() {
        return new Handler();
    }

    private static String describe(SocketAddress address) {
        return address.toString();
    }

    private Envelope list() {
        return Envelope.newBuilder()
                .setGatewayList(GatewayList.newBuilder().addAllAddresses(new LinkedHashSet<>(gateways.values())))
                .build();
    }

    private void broadcastList() {
        Envelope list = list();
        for (Channel subscriber : subscribers) {
            subscriber.writeAndFlush(list); // a failure (the subscriber is leaving) needs no handling
        }
    }

    /** One per link. Runs on the register's loop. */
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
                default -> log.debug("Register: ignoring {} from {}", msg.getBodyCase(), ctx.channel().remoteAddress());
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
                    String address;
                    try {
                        address = InternalAddress.parse(hello.getGatewayAddress()).toString();
                    } catch (IllegalArgumentException e) {
                        refuse(ctx, e.getMessage());
                        return;
                    }
                    for (Map.Entry<Channel, String> e : new ArrayList<>(gateways.entrySet())) {
                        if (e.getValue().equals(address)) {
                            log.warn("Register: gateway {} announced again from a new link; dropping the old one", address);
                            gateways.remove(e.getKey());
                            e.getKey().close();
                        }
                    }
                    greeted = true;
                    gateways.put(channel, address);
                    welcome(ctx);
                    ctx.flush();
                    log.info("Register: gateway {} joined ({} gateways)", address, gateways.size());
                    broadcastList();
                }
                case WORKER, PUSH_CLIENT -> {
                    greeted = true;
                    subscribers.add(channel);
                    welcome(ctx);
                    ctx.writeAndFlush(list(), ctx.voidPromise());
                    log.debug("Register: {} {} subscribed", hello.getRole(), hello.getName());
                }
                default -> refuse(ctx, "unknown role " + hello.getRole());
            }
        }

        private void welcome(ChannelHandlerContext ctx) {
            ctx.write(Envelope.newBuilder().setWelcome(Welcome.newBuilder()
                    .setProtocolVersion(LinkProtocol.VERSION).setName("register")).build(), ctx.voidPromise());
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
            String address = gateways.remove(channel);
            if (address != null) {
                log.info("Register: gateway {} left ({} gateways)", address, gateways.size());
                broadcastList();
            }
            subscribers.remove(channel);
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
