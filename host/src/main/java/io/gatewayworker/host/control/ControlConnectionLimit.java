package io.gatewayworker.host.control;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Caps the control connections open at once. Past the cap, a new connection gets one line saying so
 * and is closed, before anything of it is read. A burst of refusals is logged twice: a warning at its
 * first refusal, and a line with its count when a connection is admitted again.
 *
 * <p>Shared by every control connection; thread-safe (each connection calls it on its own event loop).
 */
@ChannelHandler.Sharable
final class ControlConnectionLimit extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(ControlConnectionLimit.class);

    private final int max;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicBoolean refusing = new AtomicBoolean();
    private final AtomicLong refusedInBurst = new AtomicLong();
    private final ChannelFutureListener release = f -> open.decrementAndGet();

    ControlConnectionLimit(int max) {
        if (max <= 0) {
            throw new IllegalArgumentException("max: " + max + " (expected: > 0)");
        }
        this.max = max;
    }

    /** Control connections open now. */
    int open() {
        return open.get();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (open.incrementAndGet() > max) {
            open.decrementAndGet();
            refusedInBurst.incrementAndGet();
            if (refusing.compareAndSet(false, true)) {
                log.warn("Control endpoint: {} connections are open, its limit; refusing new ones until one"
                        + " closes (from {} first)", max, ctx.channel().remoteAddress());
            }
            ctx.channel().config().setAutoRead(false);
            ctx.writeAndFlush(ByteBufUtil.writeUtf8(ctx.alloc(), "busy: " + max + " control connections are open"
                    + " (the limit); try again when one has finished\n.exit 1\n"))
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        if (refusing.compareAndSet(true, false)) {
            log.info("Control endpoint: accepting connections again; refused {} while at the limit of {}",
                    refusedInBurst.getAndSet(0), max);
        }
        // Counted until the channel closes. The handler leaves the pipeline: an admitted connection
        // carries no context for it.
        ctx.channel().closeFuture().addListener(release);
        ctx.fireChannelActive();
        ctx.pipeline().remove(this);
    }
}
