package io.gatewayworker.host.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker13;
import java.nio.charset.StandardCharsets;

/**
 * The only handshake a listener speaks: RFC 6455 (protocol version 13). Netty's handshaker factory also
 * answers the obsolete drafts (hixie-76 when a request names no version, hybi-07 and -08), whose framing
 * lets unmasked and unchecked bytes through; the listener builds this handshaker itself and answers any
 * other version with {@code 426} (see {@link WebSocketHandshakeHandler}).
 *
 * <p>Its frame decoder is Netty's, with close frames checked as RFC 6455 section 7.4 asks: a close code
 * an endpoint may not send (0-999, 1004-1006, 1015-2999, 5000 and above) fails the connection with 1002,
 * a close reason that is not UTF-8 with 1007, each with a close frame. (Netty's own check lets 5000 and
 * above through, and on a bad close frame closes the connection without a close frame.)
 *
 * <p>One instance per connection (a handshaker keeps the negotiated subprotocol); event loop.
 */
final class WebSocket13Handshaker extends WebSocketServerHandshaker13 {

    WebSocket13Handshaker(String webSocketUrl, WebSocketDecoderConfig decoderConfig) {
        super(webSocketUrl, null, decoderConfig);
    }

    @Override
    protected WebSocketFrameDecoder newWebsocketDecoder() {
        return new Decoder(decoderConfig());
    }

    /**
     * Whether a client may send {@code code} in a close frame: 1000-1003, 1007-1014 (RFC 6455 and the
     * IANA registry), 3000-4999 (registered and private use).
     */
    static boolean isValidCloseCode(int code) {
        return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
    }

    /** RFC 6455 frames, close frames checked strictly. One per connection; event loop. */
    static final class Decoder extends WebSocket13FrameDecoder {

        Decoder(WebSocketDecoderConfig config) {
            super(config);
        }

        /**
         * Called on a whole close frame's payload (the decoder has already refused a 1-byte one). Netty
         * marks the closing handshake as received before this runs and then answers its own failures
         * with no close frame; the failures here send theirs.
         */
        @Override
        protected void checkCloseFrameBody(ChannelHandlerContext ctx, ByteBuf body) {
            if (body == null || !body.isReadable()) {
                return; // no status code: allowed
            }
            if (body.readableBytes() < 2) {
                fail(ctx, WebSocketCloseStatus.PROTOCOL_ERROR, "close frame with a 1-byte payload");
            }
            int code = body.getUnsignedShort(body.readerIndex());
            if (!isValidCloseCode(code)) {
                fail(ctx, WebSocketCloseStatus.PROTOCOL_ERROR, "close frame with code " + code
                        + " (expected: 1000-1003, 1007-1014 or 3000-4999)");
            }
            int reason = body.readableBytes() - 2;
            if (reason > 0 && !ByteBufUtil.isText(body, body.readerIndex() + 2, reason, StandardCharsets.UTF_8)) {
                fail(ctx, WebSocketCloseStatus.INVALID_PAYLOAD_DATA, "close frame whose reason is not valid UTF-8");
            }
        }

        private static void fail(ChannelHandlerContext ctx, WebSocketCloseStatus status, String reason) {
            if (ctx.channel().isActive()) {
                ctx.writeAndFlush(new CloseWebSocketFrame(status, reason)).addListener(ChannelFutureListener.CLOSE);
            }
            throw new CorruptedWebSocketFrameException(status, reason);
        }
    }
}
