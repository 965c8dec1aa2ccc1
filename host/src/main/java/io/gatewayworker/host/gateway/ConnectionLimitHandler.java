package io.gatewayworker.host.gateway;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses connections to a listener beyond its limit: the connection is closed at once and the refusal
 * is logged (at most once per second, with the count of refusals since). Shared by every channel of one
 * listener; thread-safe.
 */
@ChannelHandler.Sharable
final class ConnectionLimitHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(ConnectionLimitHandler.class);

    private final String listener;
    private final int max;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong lastLog = new AtomicLong();
    private final ChannelFutureListener release = f -> open.decrementAndGet();

    ConnectionLimitHandler(String listener, int max) {
        this.listener = listener;
        this.max = max;
    }

    /** Connections open now. */
    int open() {
        return open.get();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (open.incrementAndGet() > max) {
            open.decrementAndGet();
            long n = refused.incrementAndGet();
            long now = System.nanoTime();
            long last = lastLog.get();
            if (now - last > 1_000_000_000L && lastLog.compareAndSet(last, now)) {
                log.warn("Listener {} is at its limit of {} connections: refused {} connection(s) so far",
                        listener, max, n);
            }
            ctx.close();
            return;
        }
        // Counted: the count drops when the channel closes. The handler leaves the pipeline, so that an
        // open connection carries no context for it.
        ctx.channel().closeFuture().addListener(release);
        ctx.fireChannelActive();
        ctx.pipeline().remove(this);
    }
}
