package io.gatewayworker.bench.ceiling;

import io.gatewayworker.bench.Messages;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Answers the two benchmark messages directly on the event loop, with no hop: an {@code echo:} frame is
 * written back as it is (the frame read is the frame written), and the channel is flushed once per read
 * batch, in {@link #channelReadComplete}, so that several replies leave in one write; an {@code all:}
 * frame is encoded to wire bytes once, and the broadcasts of one read batch are handed to the
 * {@link Broadcaster} together at its end. Pings are answered, a
 * close frame is returned and the connection closed; anything else is dropped.
 *
 * <p>One instance per channel; runs on the channel's event loop.
 */
final class CeilingFrameHandler extends ChannelInboundHandlerAdapter {

    private final Broadcaster broadcaster;
    private final boolean batchBroadcasts;
    private boolean flushPending;
    /** The broadcasts of the current read batch, sent at its end. */
    private List<ByteBuf> broadcasts;

    CeilingFrameHandler(Broadcaster broadcaster) {
        this(broadcaster, true);
    }

    /**
     * @param batchBroadcasts whether the broadcasts of one read batch travel together (one task per
     *        loop and one flush per channel for all of them) or each on its own
     */
    CeilingFrameHandler(Broadcaster broadcaster, boolean batchBroadcasts) {
        this.broadcaster = broadcaster;
        this.batchBroadcasts = batchBroadcasts;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof TextWebSocketFrame frame) {
            ByteBuf content = frame.content();
            if (!ByteBufUtil.isText(content, StandardCharsets.UTF_8)) {
                // RFC 6455 requires it, and the host does it on every text message: the same work here.
                frame.release();
                ctx.writeAndFlush(new CloseWebSocketFrame(1007, "invalid UTF-8"))
                        .addListener(ChannelFutureListener.CLOSE);
                return;
            }
            if (Messages.isEcho(content)) {
                ctx.write(frame, ctx.voidPromise());
                flushPending = true;
                return;
            }
            try {
                if (Messages.isAll(content)) {
                    if (broadcasts == null) {
                        broadcasts = new ArrayList<>(4);
                    }
                    broadcasts.add(WireFrames.textFrame(ctx.alloc(), content));
                    if (!batchBroadcasts) {
                        sendBroadcasts(ctx);
                    }
                }
            } finally {
                frame.release();
            }
        } else if (msg instanceof PingWebSocketFrame ping) {
            ctx.write(new PongWebSocketFrame(ping.content()), ctx.voidPromise());
            flushPending = true;
        } else if (msg instanceof CloseWebSocketFrame close) {
            ctx.writeAndFlush(close).addListener(ChannelFutureListener.CLOSE);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        sendBroadcasts(ctx);
        if (flushPending) {
            flushPending = false;
            ctx.flush();
        }
    }

    private void sendBroadcasts(ChannelHandlerContext ctx) {
        if (broadcasts != null) {
            List<ByteBuf> batch = broadcasts;
            broadcasts = null;
            broadcaster.broadcast(batch, ctx.channel().eventLoop());
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (broadcasts != null) {
            broadcasts.forEach(ByteBuf::release);
            broadcasts = null;
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
