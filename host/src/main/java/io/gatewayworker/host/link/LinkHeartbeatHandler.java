package io.gatewayworker.host.link;

import io.gatewayworker.proto.link.v1.Envelope;
import io.gatewayworker.proto.link.v1.Ping;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a TCP link between roles honest in both directions: when nothing was written for the heartbeat
 * interval it sends a ping (every role answers pings with a pong), and when nothing was read for the
 * timeout it takes the peer for dead and closes the link. A peer that crashed without a FIN, sits behind a
 * broken network, or is frozen ({@code SIGSTOP}, a long GC) is found this way; the link's owner then does
 * what a lost link means for it (a gateway moves the worker's clients, a worker starts the lease of the
 * gateway's clients).
 *
 * <p>It starts watching once the link is open (a Hello or Welcome went by); before that the handshake's
 * own time limit applies. One instance per link; runs on the link's loop.
 */
public final class LinkHeartbeatHandler extends IdleStateHandler {

    private static final Logger log = LoggerFactory.getLogger(LinkHeartbeatHandler.class);

    private final String what;
    private final long timeoutMillis;
    private boolean open;

    /** @param what the link in log lines: "worker w1 at 10.0.0.7:51234", "gateway 10.0.0.5:2300" */
    public LinkHeartbeatHandler(Duration interval, Duration timeout, String what) {
        super(timeout.toMillis(), interval.toMillis(), 0, TimeUnit.MILLISECONDS);
        this.what = what;
        this.timeoutMillis = timeout.toMillis();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (!open && msg instanceof Envelope envelope && (envelope.hasHello() || envelope.hasWelcome())) {
            open = true;
        }
        super.channelRead(ctx, msg);
    }

    @Override
    protected void channelIdle(ChannelHandlerContext ctx, IdleStateEvent event) {
        if (!open) {
            return;
        }
        if (event.state() == IdleState.WRITER_IDLE) {
            ctx.writeAndFlush(Envelope.newBuilder().setPing(Ping.newBuilder().setNanos(System.nanoTime())).build(),
                    ctx.voidPromise());
        } else if (event.state() == IdleState.READER_IDLE) {
            log.warn("Link with {} ({}) silent for {} ms: taking the peer for dead (crashed, frozen or cut off) and"
                    + " closing the link", what, ctx.channel().remoteAddress(), timeoutMillis);
            ctx.close();
        }
    }
}
