package io.gatewayworker.host.control;

import io.gatewayworker.host.transport.EventLoops;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.LineBasedFrameDecoder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control endpoint that the command line's operator commands ({@code bin/gatewayworker status},
 * {@code send}, {@code stop}, ...) talk to: TCP on 127.0.0.1 only, one request per connection.
 *
 * <pre>
 *   request:   TOKEN TAB command line LF     (at most {@value #MAX_REQUEST_BYTES} bytes, complete within
 *                                             {@value #REQUEST_DEADLINE_SECONDS} s of connecting)
 *   response:  the command's output, then a line ".exit N" with its status, then close
 * </pre>
 *
 * At most {@value #MAX_CONNECTIONS} connections are open at once; past that, a new one is answered
 * "busy" and closed. A request without the token of the {@link ControlFile} is refused and logged, and
 * nothing runs. A line that is too long or too slow is refused with one line and closed. Commands run on
 * a small pool of platform threads ({@code gw-control-N}, at most {@value #MAX_CONNECTIONS}), never on a
 * network thread nor on a virtual thread: apps may keep every virtual-thread carrier busy, and
 * {@code status} and {@code stop} must still answer.
 *
 * <p>{@link #start} and {@link #close} run on the thread that owns the server; connections run on the
 * host's I/O threads.
 */
public final class ControlServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ControlServer.class);

    /** The longest request line, without its LF. */
    static final int MAX_REQUEST_BYTES = 64 * 1024;
    /** How long after connecting the whole request line may take. */
    static final int REQUEST_DEADLINE_SECONDS = 10;
    /** Control connections open at once, and threads that run commands. */
    static final int MAX_CONNECTIONS = 16;

    private final ControlRequestHandler.Commands commands;
    private final Path dataDir;
    private final ControlConnectionLimit limit = new ControlConnectionLimit(MAX_CONNECTIONS);
    private final ExecutorService pool = commandPool(MAX_CONNECTIONS);
    private Channel channel;
    private ControlFile file;

    public ControlServer(AdminCommands commands, Path dataDir) {
        this(commands::execute, dataDir);
    }

    ControlServer(ControlRequestHandler.Commands commands, Path dataDir) {
        this.commands = commands;
        this.dataDir = dataDir;
    }

    /**
     * Binds 127.0.0.1:{@code port} (0 picks one) on the host's network threads and writes the control
     * file.
     *
     * @throws IOException when the port cannot be bound or the file written
     */
    public void start(EventLoops loops, int port) throws IOException {
        ControlFile pending = ControlFile.create(0);
        try {
            channel = loops.publicServer()
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            configure(ch.pipeline(), limit, new ControlRequestHandler(pending.token(),
                                    ControlFile.path(dataDir).toString(), commands, pool,
                                    TimeUnit.SECONDS.toMillis(REQUEST_DEADLINE_SECONDS), MAX_REQUEST_BYTES));
                        }
                    })
                    .bind(new InetSocketAddress("127.0.0.1", port)).sync().channel();
        } catch (Exception e) {
            throw new IOException("the control endpoint cannot listen on 127.0.0.1:" + port + ": " + e.getMessage()
                    + " (set control.port to a free port, or 0)", e);
        }
        int bound = ((InetSocketAddress) channel.localAddress()).getPort();
        file = pending.withPort(bound);
        file.write(dataDir);
        log.info("Control endpoint on 127.0.0.1:{} (token in {})", bound, ControlFile.path(dataDir));
    }

    /** The handlers of one control connection: the shared cap, the line decoder, the request. */
    static void configure(ChannelPipeline pipeline, ControlConnectionLimit limit, ControlRequestHandler request) {
        pipeline.addLast(limit, new LineBasedFrameDecoder(MAX_REQUEST_BYTES, true, true), request);
    }

    /** Up to {@code threads} platform daemon threads, made on demand, idle ones ended after a minute. */
    static ExecutorService commandPool(int threads) {
        AtomicInteger n = new AtomicInteger();
        return new ThreadPoolExecutor(0, threads, 60, TimeUnit.SECONDS, new SynchronousQueue<>(),
                r -> Thread.ofPlatform().daemon().name("gw-control-" + n.incrementAndGet()).unstarted(r));
    }

    @Override
    public void close() {
        if (channel != null) {
            channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        pool.shutdown(); // a running command (stop) finishes; its threads are daemons
        if (file != null) {
            file.delete(dataDir);
        }
    }
}
