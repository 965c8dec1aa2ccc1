package io.gatewayworker.host.register;

import io.gatewayworker.host.link.InternalNetwork;
import io.gatewayworker.host.link.LinkInitializer;
import io.gatewayworker.host.link.LinkProtocol;
import io.gatewayworker.host.transport.EventLoops;
import io.gatewayworker.host.transport.InternalAddress;
import io.gatewayworker.host.transport.Transport;
import io.gatewayworker.proto.link.v1.Envelope;
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
