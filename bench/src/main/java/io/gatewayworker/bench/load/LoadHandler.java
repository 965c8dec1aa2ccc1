package io.gatewayworker.bench.load;

import io.gatewayworker.bench.Messages;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.ReferenceCountUtil;

/**
 * The last handler of a load connection once its handshake is done: hands each text frame's bytes to
 * {@link #onText} (no {@code String} is made), answers pings, and flushes what the subclass wrote once
 * per read batch. The base class alone is an idle connection ({@code connect} scenario).
 *
 * <p>One instance per connection; every method runs on the connection's event loop, except
 * {@link #outstanding()} and {@link #isOpen()}, which {@link LoopStats#snapshot()} also calls there.
 */
class LoadHandler extends ChannelInboundHandlerAdapter {

    protected final LoadContext load;
    protected ChannelHandlerContext ctx;
    protected LoopStats stats;
    private boolean flushPending;
    private boolean open = true;

    LoadHandler(LoadContext load) {
        this.load = load;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.stats = load.stats(ctx.channel().eventLoop());
        stats.handlers.add(this);
    }

    @Override
    public final void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof TextWebSocketFrame frame) {
            try {
                onText(frame.content(), Window.now());
            } finally {
                frame.release();
            }
        } else if (msg instanceof PingWebSocketFrame ping) {
            ctx.write(new PongWebSocketFrame(ping.content()), ctx.voidPromise());
            flushPending = true;
        } else if (msg instanceof CloseWebSocketFrame close) {
            close.release();
            ctx.close();
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public final void channelReadComplete(ChannelHandlerContext ctx) {
        flushNow();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        open = false;
        load.connectionClosed();
        if (!load.closing()) {
            stats.closed++;
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    /** A text message arrived at {@code now} ({@link Window#now()}); its bytes are valid during the call. */
    protected void onText(ByteBuf content, long now) {
        stats.mismatched++;
    }

    /** Called every 100 ms on the loop: time out what waited too long. */
    protected void checkTimeout(long now) {
    }

    /** True while a request of this connection waits for its answer. */
    boolean outstanding() {
        return false;
    }

    boolean isOpen() {
        return open;
    }

    /** Writes one benchmark message; it leaves at the end of the read batch or with {@link #flushNow()}. */
    protected final void send(String prefix, long sendNanos, int seq) {
        ByteBuf buf = ctx.alloc().buffer(load.size());
        Messages.write(buf, prefix, sendNanos, seq, load.size());
        ctx.write(new TextWebSocketFrame(buf), ctx.voidPromise());
        flushPending = true;
    }

    protected final void flushNow() {
        if (flushPending) {
            flushPending = false;
            ctx.flush();
        }
    }

    /** Records a latency, capped at the histogram's highest value. */
    protected final void record(org.HdrHistogram.Histogram h, long nanos) {
        h.recordValue(Math.max(0, Math.min(nanos, h.getHighestTrackableValue())));
    }
}
