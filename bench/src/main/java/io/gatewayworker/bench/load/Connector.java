package io.gatewayworker.bench.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.gatewayworker.bench.Transports;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * Opens WebSocket connections to one server, from source addresses taken in turn from a list in
 * 127.0.0.0/8, so that more connections fit than one source address has ephemeral ports. On epoll it
 * sets {@code IP_BIND_ADDRESS_NO_PORT}, so the kernel picks the local port at connect time, per
 * destination, rather than at bind time. At most {@code concurrency} handshakes are under way at once, so
 * that a burst of thousands stays within the server's accept backlog.
 *
 * <p>{@link #connect} is called by the command thread and blocks it; the connections live on the
 * group's event loops.
 */
final class Connector {

    private static final int MAX_FRAME_BYTES = 64 * 1024;

    private final Bootstrap bootstrap;
    private final InetSocketAddress server;
    private final URI uri;
    private final List<InetAddress> sources;
    private final int concurrency;
    private final long timeoutMillis;
    private final Queue<Channel> channels = new ConcurrentLinkedQueue<>();
    private int nextSource;

    /** Outcome of one {@link #connect} call. */
    record Result(int opened, int failed, long millis, String firstError) {
    }

    Connector(EventLoopGroup group, Transports transport, InetSocketAddress server, List<InetAddress> sources,
            int sourceOffset, int concurrency, long timeoutMillis) {
        this.server = server;
        this.uri = URI.create("ws://" + server.getAddress().getHostAddress() + ":" + server.getPort() + "/");
        this.sources = sources;
        this.nextSource = sourceOffset;
        this.concurrency = concurrency;
        this.timeoutMillis = timeoutMillis;
        this.bootstrap = new Bootstrap()
                .group(group)
                .channel(transport.channel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) timeoutMillis);
        if (transport == Transports.EPOLL) {
            bootstrap.option(EpollChannelOption.IP_BIND_ADDRESS_NO_PORT, true);
        }
    }

    /** Every connection opened so far (closed ones included). */
    Queue<Channel> channels() {
        return channels;
    }

    /**
     * Opens {@code count} connections, each ending in the handler {@code handlers} makes; returns when
     * each has completed its handshake or failed.
     */
    Result connect(int count, Function<Integer, LoadHandler> handlers) throws InterruptedException {
        long start = System.nanoTime();
        Semaphore permits = new Semaphore(concurrency);
        CountDownLatch finished = new CountDownLatch(count);
        AtomicInteger opened = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicReference<String> firstError = new AtomicReference<>();
        for (int i = 0; i < count; i++) {
            if (!permits.tryAcquire(timeoutMillis * 2, TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("connections stopped completing (none in " + timeoutMillis * 2 + " ms)");
            }
            AtomicBoolean reported = new AtomicBoolean();
            java.util.function.Consumer<Throwable> done = cause -> {
                if (!reported.compareAndSet(false, true)) {
                    return;
                }
                if (cause == null) {
                    opened.incrementAndGet();
                } else {
                    failed.incrementAndGet();
                    firstError.compareAndSet(null, cause.getClass().getSimpleName() + ": " + cause.getMessage());
                }
                permits.release();
                finished.countDown();
            };
            LoadHandler handler = handlers.apply(i);
            InetAddress source = sources.get(Math.floorMod(nextSource++, sources.size()));
            Bootstrap b = bootstrap.clone().handler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast("http", new HttpClientCodec(4096, 8192, 8192));
                    ch.pipeline().addLast("aggregator", new HttpObjectAggregator(8192));
                    ch.pipeline().addLast("handshake", new ClientHandshakeHandler(
                            WebSocketClientHandshakerFactory.newHandshaker(uri, WebSocketVersion.V13, null, false,
                                    EmptyHttpHeaders.INSTANCE, MAX_FRAME_BYTES),
                            handler, timeoutMillis, done));
                }
            });
            ChannelFuture f = b.connect(server, new InetSocketAddress(source, 0));
            channels.add(f.channel());
            f.addListener((ChannelFutureListener) cf -> {
                if (!cf.isSuccess()) {
                    done.accept(cf.cause());
                }
            });
        }
        if (!finished.await(timeoutMillis * 2 + 1000, TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException(finished.getCount() + " connection(s) neither completed nor failed in time");
        }
        return new Result(opened.get(), failed.get(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start),
                firstError.get());
    }
}
