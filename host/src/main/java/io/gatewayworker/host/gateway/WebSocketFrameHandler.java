package io.gatewayworker.host.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.io.IOException;
import java.util.ArrayDeque;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the frames of an open WebSocket connection into client events: text and binary messages go to
 * the client's worker (copied out of Netty's buffers here, on the event loop); pings are answered;
 * a close frame is answered and the connection closed. A frame that breaks a bound or the protocol
 * closes the connection with the matching close code and a logged reason: a text message that is not
 * valid UTF-8 with 1007 (checked here on the whole message rather than by one more handler per
 * connection). It is also the connection's {@link ProtocolSession} once the handshake is done.
 *
 * <p><b>Holding input.</b> Pausing reading stops the next socket read, but the frames of the read in
 * progress still arrive; a small client message is a few bytes, so one read can hold thousands. While the
 * client may send no more events ({@link ClientConnection#holdsInput()}: out of credit, or its events in
 * flight at the bound), frames are kept here, in order, and handed on when it may send again
 * ({@link #releaseHeld()}). So the bounds on events in flight hold exactly, and what waits here is at most
 * the frames of one read.
 *
 * <p>One instance per connection; runs on its event loop.
 */
final class WebSocketFrameHandler extends SimpleChannelInboundHandler<WebSocketFrame> implements ProtocolSession {

    private static final Logger log = LoggerFactory.getLogger(WebSocketFrameHandler.class);

    private final ClientConnection client;
    /** Frames read while the client must hold its input; null when none wait. */
    private ArrayDeque<WebSocketFrame> held;
    private boolean releasing;

    WebSocketFrameHandler(ClientConnection client) {
        this.client = client;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
        if (held != null || client.holdsInput()) {
            if (held == null) {
                held = new ArrayDeque<>();
            }
            held.add(frame.retain());
            return;
        }
        handle(ctx, frame);
    }

    @Override
    public void releaseHeld() {
        ChannelHandlerContext ctx = client.channel().pipeline().context(this);
        if (releasing || ctx == null) {
            return; // the loop below goes on with the next frame
        }
        releasing = true;
        try {
            while (held != null && !client.holdsInput()) {
                WebSocketFrame frame = held.poll();
                if (frame == null) {
                    held = null;
                    return;
                }
                try {
                    handle(ctx, frame);
                } finally {
                    frame.release();
                }
            }
        } finally {
            releasing = false;
        }
    }

    private void handle(ChannelHandlerContext ctx, WebSocketFrame frame) {
        if (!client.isOpen() && !(frame instanceof CloseWebSocketFrame)) {
            return; // closing: after a close frame, or a protocol failure, no more data is taken
        }
        if (frame instanceof TextWebSocketFrame text) {
            ByteBuf bytes = text.content();
            if (!ByteBufUtil.isText(bytes, StandardCharsets.UTF_8)) {
                log.info("Closing client {}: a text message that is not valid UTF-8 (close code 1007)", client.id());
                client.close(null, WebSocketCloseStatus.INVALID_PAYLOAD_DATA.code(), "invalid UTF-8", false);
                return;
            }
            client.onText(bytes.toString(StandardCharsets.UTF_8), bytes.readableBytes());
        } else if (frame instanceof BinaryWebSocketFrame binary) {
            client.onBinary(ByteBufUtil.getBytes(binary.content()), binary.content().readableBytes());
        } else if (frame instanceof PingWebSocketFrame) {
            client.activity();
            // A client that pings but does not read gets no more pongs than fit (RFC 6455 5.5.3 allows
            // answering only the latest ping): output stays bounded.
            if (ctx.channel().isWritable()) {
                ctx.writeAndFlush(new PongWebSocketFrame(frame.content().retain()), ctx.voidPromise());
            }
        } else if (frame instanceof PongWebSocketFrame) {
            client.activity();
        } else if (frame instanceof CloseWebSocketFrame close) {
            if (!client.isOpen()) {
                ctx.close(); // the answer to our close frame: the closing handshake is complete
                return;
            }
            int code = close.statusCode() == -1 ? 1000 : close.statusCode();
            ctx.writeAndFlush(new CloseWebSocketFrame(code, "")).addListener(ChannelFutureListener.CLOSE);
        }
    }

    // ---------------------------------------------------------------- ProtocolSession (open connection)

    @Override
    public void accept() {
        // Already open.
    }

    @Override
    public void refuse(int code, String reason) {
        close(null, code, reason);
    }

    @Override
    public void ping() {
        client.channel().writeAndFlush(new PingWebSocketFrame(), client.channel().voidPromise());
    }

    @Override
    public void close(ByteBuf last, int code, String reason) {
        WebSocketHandshakeHandler.closeGracefully(client.channel(), last, code, reason, "client " + client.id());
    }

    // ---------------------------------------------------------------- the rest

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (held != null) {
            held.forEach(WebSocketFrame::release);
            held = null;
        }
        client.closed();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException) {
            log.info("Closing client {}: {} (close code 1009)", client.id(), cause.getMessage());
            client.close(null, WebSocketCloseStatus.MESSAGE_TOO_BIG.code(), "message too big", false);
        } else if (cause instanceof CorruptedWebSocketFrameException corrupted) {
            // The decoder has already sent the close frame (1002, 1007 or 1009).
            log.info("Closing client {}: {} (close code {})", client.id(), cause.getMessage(),
                    corrupted.closeStatus().code());
            ctx.close();
        } else if (cause instanceof IOException) {
            log.debug("Client {} connection failed: {}", client.id(), cause.toString());
            ctx.close();
        } else {
            log.warn("Closing client {} after an unexpected error", client.id(), cause);
            ctx.close();
        }
    }
}
