package io.gatewayworker.bench.ceiling;

import io.gatewayworker.bench.Options;
import io.gatewayworker.bench.Transports;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The ceiling: a raw Netty 4.2 WebSocket server that answers the benchmark's two messages
 * ({@code echo:}, {@code all:}) in its handlers, with no gateway/worker hop. It is what this stack can
 * do on this machine; {@code bin/bench} measures the host against it.
 *
 * <pre>
 *   java -cp bench/target/benchmarks.jar io.gatewayworker.bench.ceiling.CeilingServer --port 7300
 *        [--host 127.0.0.1] [--io-threads 0] [--transport epoll|nio] [--batch-broadcasts on|off]
 * </pre>
 *
 * The broadcasts that arrive in one read batch are sent together: one task per event loop and one
 * flush per channel for all of them ({@code --batch-broadcasts off} sends each on its own).
 *
 * <p>Threads: one acceptor thread ({@code ceiling-accept}) and {@code --io-threads} I/O threads
 * ({@code ceiling-io}, 0 = one per core, as the host's default) that run every connection. It prints one
 * line, {@code ceiling listening on ws://HOST:PORT ...}, once it accepts connections, and runs until the
 * JVM is asked to stop (SIGTERM); a shutdown hook closes the listener and the connections.
 */
public final class CeilingServer implements AutoCloseable {

    private final EventLoopGroup acceptor;
    private final EventLoopGroup io;
    private final Broadcaster broadcaster;
    private final Channel listener;
    private final Transports transport;
    private final int ioThreads;

    private CeilingServer(InetSocketAddress address, int ioThreads, Transports transport, boolean batchBroadcasts)
            throws InterruptedException {
        this.transport = transport;
        this.ioThreads = ioThreads == 0 ? Runtime.getRuntime().availableProcessors() : ioThreads;
        this.acceptor = transport.group(1, "ceiling-accept");
        this.io = transport.group(this.ioThreads, "ceiling-io");
        this.broadcaster = new Broadcaster(io);
        try {
            this.listener = new ServerBootstrap()
                    .group(acceptor, io)
                    .channel(transport.serverChannel())
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(512 * 1024, 1024 * 1024))
                    .childHandler(new CeilingInitializer(broadcaster, batchBroadcasts))
                    .bind(address).sync().channel();
        } catch (RuntimeException | InterruptedException e) {
            close();
            throw e;
        }
    }

    /** Starts a ceiling server on {@code address}; port 0 picks a free one. Broadcasts are batched per read. */
    public static CeilingServer start(InetSocketAddress address, int ioThreads, Transports transport) throws InterruptedException {
        return start(address, ioThreads, transport, true);
    }

    /**
     * Starts a ceiling server on {@code address}; port 0 picks a free one.
     *
     * @param batchBroadcasts whether the broadcasts that arrive in one read batch are sent together
     *        (one task per loop, one flush per channel for all of them) or one by one
     */
    public static CeilingServer start(InetSocketAddress address, int ioThreads, Transports transport,
            boolean batchBroadcasts) throws InterruptedException {
        if (ioThreads < 0) {
            throw new IllegalArgumentException("ioThreads: " + ioThreads + " (expected: >= 0)");
        }
        return new CeilingServer(address, ioThreads, transport, batchBroadcasts);
    }

    /** The bound address. */
    public InetSocketAddress address() {
        return (InetSocketAddress) listener.localAddress();
    }

    /** Connected WebSocket clients. */
    public int clients() {
        return broadcaster.size();
    }

    /** Clients closed because they fell more than 1 MiB behind. */
    public long droppedSlow() {
        return broadcaster.droppedSlow();
    }

    @Override
    public void close() {
        if (listener != null) {
            listener.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        acceptor.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        io.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    public static void main(String[] args) throws InterruptedException {
        CeilingServer server;
        try {
            Options options = new Options(args, Set.of("--help"));
            if (options.flag("--help")) {
                System.out.println("Usage: CeilingServer --port PORT [--host 127.0.0.1] [--io-threads 0]"
                        + " [--transport epoll|nio] [--batch-broadcasts on|off]");
                return;
            }
            InetAddress host = options.loopback("--host", "127.0.0.1");
            if (!options.has("--port")) {
                throw new IllegalArgumentException("--port: missing (expected: a port, 0 for a free one)");
            }
            int port = options.integer("--port", 0, 0, 65535);
            int ioThreads = options.integer("--io-threads", 0, 0, 256);
            Transports transport = Transports.of(options.choice("--transport", "epoll", "epoll", "nio"));
            boolean batch = options.choice("--batch-broadcasts", "on", "on", "off").equals("on");
            options.checkAllUsed();
            server = start(new InetSocketAddress(host, port), ioThreads, transport, batch);
        } catch (IllegalArgumentException e) {
            System.err.println("ceiling: " + e.getMessage());
            System.exit(2);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("ceiling stopping: " + server.clients() + " client(s), "
                    + server.droppedSlow() + " dropped as too slow");
            server.close();
            stopped.countDown();
        }, "ceiling-shutdown"));
        InetSocketAddress bound = server.address();
        System.out.println("ceiling listening on ws://" + bound.getAddress().getHostAddress() + ":" + bound.getPort()
                + " (" + server.transport + ", " + server.ioThreads + " I/O threads)");
        System.out.flush();
        stopped.await();
    }
}
