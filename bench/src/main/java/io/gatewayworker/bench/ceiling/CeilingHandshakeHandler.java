package io.gatewayworker.bench.ceiling;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Turns the HTTP upgrade request of a new connection into a WebSocket (any path), then replaces itself
 * with a {@link CeilingFrameHandler} and adds the channel to the {@link Broadcaster}. A connection that
 * does not complete its handshake within {@value #HANDSHAKE_TIMEOUT_SECONDS} s, or sends anything but a
 * WebSocket upgrade, is closed. Frames are bounded to 64 KiB, as the host's default.
 *
 * <p>One instance per channel; runs on the channel's event loop.
 */
final class CeilingHandshakeHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    static final int HANDSHAKE_TIMEOUT_SECONDS = 10;
    static final int MAX_FRAME_BYTES = 64 * 1024;

    private static final WebSocketDecoderConfig DECODER = WebSocketDecoderConfig.newBuilder()
            .maxFramePayloadLength(MAX_FRAME_BYTES)
            .expectMaskedFrames(true)
            .allowExtensions(false)
            .build();

    private final Broadcaster broadcaster;
    private final boolean batchBroadcasts;
    private ScheduledFuture<?> timeout;

    CeilingHandshakeHandler(Broadcaster broadcaster, boolean batchBroadcasts) {
        this.broadcaster = broadcaster;
        this.batchBroadcasts = batchBroadcasts;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        timeout = ctx.executor().schedule(() -> {
            ctx.close();
        }, HANDSHAKE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (timeout != null) {
            timeout.cancel(false);
        }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        if (!req.decoderResult().isSuccess() || req.method() != HttpMethod.GET
                || !req.headers().containsValue(HttpHeaderNames.UPGRADE, "websocket", true)) {
            FullHttpResponse bad = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.BAD_REQUEST,
                    Unpooled.EMPTY_BUFFER);
            bad.headers().set(HttpHeaderNames.CONNECTION, "close");
            ctx.writeAndFlush(bad).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        String host = req.headers().get(HttpHeaderNames.HOST, "127.0.0.1");
        WebSocketServerHandshakerFactory factory =
                new WebSocketServerHandshakerFactory("ws://" + host + req.uri(), null, DECODER);
        WebSocketServerHandshaker handshaker = factory.newHandshaker(req);
        if (handshaker == null) {
            WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
            ctx.close();
            return;
        }
        handshaker.handshake(ctx.channel(), req).addListener((ChannelFutureListener) f -> {
            if (f.isSuccess()) {
                broadcaster.add(f.channel());
            } else {
                f.channel().close();
            }
        });
        // The frame decoder is in the pipeline now; frames reach the next handler.
        ctx.pipeline().replace(this, "frames", new CeilingFrameHandler(broadcaster, batchBroadcasts));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
