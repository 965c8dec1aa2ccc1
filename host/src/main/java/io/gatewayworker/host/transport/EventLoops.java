package io.gatewayworker.host.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.SingleThreadIoEventLoop;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.local.LocalServerChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.RejectedExecutionHandlers;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * The network threads of one host: an acceptor thread for public listeners, {@code n} I/O threads that
 * run client connections and TCP links, and one thread for in-JVM links (Netty 4.2 runs local channels
 * only on a {@link LocalIoHandler} loop; one thread keeps both ends of each in-JVM link on the same
 * loop, so messages pass between them without a hand-off). Native epoll is used where it is available,
 * NIO elsewhere.
 *
 * <p>Thread-safe. Closing shuts the groups down gracefully and waits for them.
 */
public final class EventLoops implements AutoCloseable {

    private final EventLoopGroup acceptor;
    private final EventLoopGroup io;
    private final EventLoopGroup local;
    private final boolean epoll;

    private EventLoops(int ioThreads, boolean preferNative) {
        this.epoll = preferNative && Epoll.isAvailable();
        IoHandlerFactory factory = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.acceptor = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("gw-accept", true), factory);
        this.io = new ResponsiveGroup(ioThreads, new DefaultThreadFactory("gw-io", true), factory);
        this.local = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("gw-link", true), LocalIoHandler.newFactory());
    }

    /**
     * Creates the groups.
     *
     * @param ioThreads the number of I/O threads; 0 means one per available processor
     */
    public static EventLoops create(int ioThreads) {
        if (ioThreads < 0) {
            throw new IllegalArgumentException("ioThreads: " + ioThreads + " (expected: >= 0)");
        }
        int n = ioThreads == 0 ? Runtime.getRuntime().availableProcessors() : ioThreads;
        return new EventLoops(n, !Boolean.getBoolean("gatewayworker.nio"));
    }

    public EventLoopGroup io() {
        return io;
    }

    /** One I/O loop, chosen round-robin. */
    public EventLoop nextIo() {
        return io.next();
    }

    /** A loop that can run links of {@code transport}. */
    public EventLoop linkLoop(Transport transport) {
        return transport == Transport.LOCAL ? local.next() : io.next();
    }

    /** "epoll" or "nio". */
    public String kind() {
        return epoll ? "epoll" : "nio";
    }

    /** A server bootstrap for public TCP listeners: accepts on the acceptor thread, serves on the I/O threads. */
    public ServerBootstrap publicServer() {
        return new ServerBootstrap().group(acceptor, io)
                .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class);
    }

    /** A server bootstrap for an internal endpoint on {@code transport}. */
    public ServerBootstrap internalServer(Transport transport) {
        return internalServer(transport, transport == Transport.LOCAL ? local : io);
    }

    /**
     * A server bootstrap for an internal endpoint on {@code transport} whose links all run on
     * {@code children} (a loop of {@link #linkLoop(Transport)}).
     */
    public ServerBootstrap internalServer(Transport transport, EventLoopGroup children) {
        EventLoopGroup parent = transport == Transport.LOCAL ? local : acceptor;
        return new ServerBootstrap().group(parent, children).channel(serverChannel(transport));
    }

    /** A client bootstrap for an internal link on {@code transport}, run by {@code loop} (from {@link #linkLoop}). */
    public Bootstrap internalClient(Transport transport, EventLoopGroup loop) {
        return new Bootstrap().group(loop).channel(clientChannel(transport));
    }

    private Class<? extends ServerChannel> serverChannel(Transport transport) {
        return switch (transport) {
            case LOCAL -> LocalServerChannel.class;
            case TCP -> epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        };
    }

    private Class<? extends Channel> clientChannel(Transport transport) {
        return switch (transport) {
            case LOCAL -> LocalChannel.class;
            case TCP -> epoll ? EpollSocketChannel.class : NioSocketChannel.class;
        };
    }

    /**
     * How long an I/O loop runs queued tasks before it looks at its sockets again. Netty's default is a
     * second: with a steady stream of tasks (fan-outs to write while a flood goes on) a loop then reads
     * its clients once a second, and every client on it waits that long for an answer (measured: 1 to 3.5
     * s for another app's round trip during a broadcast flood; 0.4 to 0.6 s with this). Much shorter
     * turns (10 ms) were no better there and worse where reading is dear (under paranoid leak detection
     * they read more input before writing the answers already due).
     */
    static final long TASK_QUANTUM_MILLIS = 100;

    /** An I/O group whose loops turn from tasks to sockets at least every {@link #TASK_QUANTUM_MILLIS}. */
    private static final class ResponsiveGroup extends MultiThreadIoEventLoopGroup {
        ResponsiveGroup(int threads, ThreadFactory factory, IoHandlerFactory handlers) {
            super(threads, factory, handlers);
        }

        @Override
        protected IoEventLoop newChild(Executor executor, IoHandlerFactory handlers, Object... args) {
            return new SingleThreadIoEventLoop(this, executor, handlers, Integer.MAX_VALUE,
                    RejectedExecutionHandlers.reject(), TASK_QUANTUM_MILLIS);
        }
    }

    @Override
    public void close() {
        for (EventLoopGroup group : new EventLoopGroup[] {acceptor, io, local}) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        }
        for (EventLoopGroup group : new EventLoopGroup[] {acceptor, io, local}) {
            group.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }
}
