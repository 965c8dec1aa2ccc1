package io.gatewayworker.host.gateway;

import io.gatewayworker.proto.link.v1.Handshake;
import io.gatewayworker.proto.link.v1.Header;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.util.CharsetUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes a WebSocket client from its upgrade request to an open connection. The request goes to the
 * client's app ({@code onWebSocketConnect}); the handshake completes only when the app accepts, and a
 * refused client gets the app's close code and reason. A request that is not a WebSocket upgrade gets a
 * plain HTTP error, logged at debug with the remote address: {@code 426} when it asks for no upgrade
 * or for another version than 13 (RFC 6455 only: no hixie-76 or hybi drafts, see
 * {@link WebSocket13Handshaker}), {@code 431} or {@code 414} when its header block or request line is
 * too long. The whole handshake, the app's verdict included, is bounded by
 * {@code Limits.handshakeTimeout()}.
 *
 * <p>One instance per connection; runs on its event loop. It is also the connection's
 * {@link ProtocolSession}.
 */
final class WebSocketHandshakeHandler extends SimpleChannelInboundHandler<FullHttpRequest> implements ProtocolSession {

    private static final Logger log = LoggerFactory.getLogger(WebSocketHandshakeHandler.class);
    private static final int MAX_REASON_BYTES = 123;
    /** Longest wait for a closing client to take its last frames. */
    private static final long FORCE_CLOSE_SECONDS = 10;

    /** The only protocol version spoken (RFC 6455). */
    static final String VERSION = "13";

    private final GatewayServer gateway;
    private final Listener listener;
    private final String webSocketUrl;
    private final WebSocketDecoderConfig decoderConfig;
    private Channel channel;
    private ClientConnection client;
    private WebSocketServerHandshaker handshaker;
    private FullHttpRequest request;
    private ScheduledFuture<?> timeout;

    WebSocketHandshakeHandler(GatewayServer gateway, Listener listener, String webSocketUrl,
                              WebSocketDecoderConfig decoderConfig) {
        this.gateway = gateway;
        this.listener = listener;
        this.webSocketUrl = webSocketUrl;
        this.decoderConfig = decoderConfig;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        long millis = gateway.limits().handshakeTimeout().toMillis();
        timeout = ctx.executor().schedule(() -> {
            log.debug("Closing {}: no completed WebSocket handshake within {} ms", describe(), millis);
            ctx.close();
        }, millis, TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        if (client != null) {
            return; // one upgrade request per connection; anything else waits for the handshake
        }
        if (!req.decoderResult().isSuccess()) {
            Throwable cause = req.decoderResult().cause();
            if (cause instanceof TooLongHttpLineException) {
                respond(ctx, HttpResponseStatus.REQUEST_URI_TOO_LONG, "Request line too long (limit "
                        + WebSocketListenerInitializer.MAX_REQUEST_LINE_BYTES + " bytes)");
            } else if (cause instanceof TooLongFrameException) {
                respond(ctx, HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "Request headers too large (limit "
                        + gateway.limits().maxHttpHeaderBytes() + " bytes)");
            } else {
                respond(ctx, HttpResponseStatus.BAD_REQUEST, "Malformed HTTP request");
            }
            return;
        }
        if (!HttpMethod.GET.equals(req.method())) {
            respond(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "This is a WebSocket endpoint: connect with GET and Upgrade: websocket");
            return;
        }
        if (!HttpHeaderValues.WEBSOCKET.contentEqualsIgnoreCase(req.headers().get(HttpHeaderNames.UPGRADE, ""))) {
            respond(ctx, HttpResponseStatus.UPGRADE_REQUIRED, "This is a WebSocket endpoint: connect with a WebSocket client");
            return;
        }
        // Before the key: a hixie-76 request has none, and its client should learn which version to speak.
        String version = req.headers().get(HttpHeaderNames.SEC_WEBSOCKET_VERSION);
        if (!VERSION.equals(version)) {
            respond(ctx, HttpResponseStatus.UPGRADE_REQUIRED, "Unsupported WebSocket version "
                    + (version == null ? "(none given)" : "'" + truncate(version) + "'")
                    + ": this endpoint speaks WebSocket version 13 (RFC 6455) only");
            return;
        }
        String key = req.headers().get(HttpHeaderNames.SEC_WEBSOCKET_KEY);
        if (key == null || key.isBlank() || !req.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)) {
            respond(ctx, HttpResponseStatus.BAD_REQUEST, "A WebSocket upgrade needs Connection: Upgrade and a Sec-WebSocket-Key");
            return;
        }
        handshaker = new WebSocket13Handshaker(webSocketUrl, decoderConfig);
        request = req.retain();
        client = new ClientConnection(gateway, ctx.channel(), listener);
        client.handshake(this, toHandshake(req));
    }

    private static Handshake toHandshake(FullHttpRequest req) {
        QueryStringDecoder uri = new QueryStringDecoder(req.uri());
        Handshake.Builder handshake = Handshake.newBuilder().setPath(uri.path()).setQuery(uri.rawQuery());
        for (Map.Entry<String, String> header : req.headers()) {
            handshake.addHeaders(Header.newBuilder()
                    .setName(header.getKey().toLowerCase(Locale.ROOT)).setValue(header.getValue()));
        }
        return handshake.build();
    }

    // ---------------------------------------------------------------- ProtocolSession

    @Override
    public void accept() {
        handshake().addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                log.debug("WebSocket handshake with {} failed: {}", describe(), f.cause().toString());
                f.channel().close();
                return;
            }
            timeout.cancel(false);
            timeout = null;
            handshaker = null;
            // The open connection keeps only what it needs: this handler (its handshaker, its timeout)
            // goes, and the frame handler checks UTF-8 itself on whole messages (one handler fewer).
            ChannelPipeline p = f.channel().pipeline();
            WebSocketFrameHandler frames = new WebSocketFrameHandler(client);
            p.addLast("WebSocketFrameAggregator", new WebSocketFrameAggregator(gateway.limits().maxMessageBytes()));
            p.addLast("WebSocketFrameHandler", frames);
            p.remove(this);
            client.opened(frames);
        });
    }

    @Override
    public void refuse(int code, String reason) {
        if (handshaker == null || request == null) {
            channel.close(); // no handshake to complete (not started, or already under way)
            return;
        }
        handshake().addListener((ChannelFutureListener) f -> {
            if (f.isSuccess()) {
                close(null, code, reason);
            } else {
                f.channel().close();
            }
        });
    }


    @Override
    public void ping() {
        // Not open yet: the handshake timeout bounds this stage.
    }

    @Override
    public void close(ByteBuf last, int code, String reason) {
        closeGracefully(channel, last, code, reason, describe());
    }

    /**
     * Writes {@code last} (may be null) and a close frame, then closes the channel once they are
     * written, or after {@value #FORCE_CLOSE_SECONDS} s if the client does not read them. Event loop.
     */
    static void closeGracefully(Channel channel, ByteBuf last, int code, String reason, String who) {
        if (last != null) {
            channel.write(last, channel.voidPromise());
        }
        channel.writeAndFlush(new CloseWebSocketFrame(code, truncate(reason))).addListener(ChannelFutureListener.CLOSE);
        // A client that does not read never lets that write finish: close it anyway after a while.
        channel.eventLoop().schedule(() -> {
            if (channel.isOpen()) {
                log.debug("Closing {}: its close frame was not taken within {} s", who, FORCE_CLOSE_SECONDS);
                channel.close();
            }
        }, FORCE_CLOSE_SECONDS, TimeUnit.SECONDS);
    }

    private io.netty.channel.ChannelFuture handshake() {
        FullHttpRequest req = request;
        request = null;
        try {
            return handshaker.handshake(channel, req);
        } catch (RuntimeException e) {
            // A request the handshaker cannot answer: the client goes, with a reason in the log.
            log.info("WebSocket handshake with {} failed: {}", describe(), e.getMessage());
            return channel.close();
        } finally {
            req.release();
        }
    }

    // ---------------------------------------------------------------- the rest

    private void respond(ChannelHandlerContext ctx, HttpResponseStatus status, String text) {
        ByteBuf body = Unpooled.copiedBuffer(text + "\n", CharsetUtil.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        if (status == HttpResponseStatus.UPGRADE_REQUIRED) {
            response.headers().set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET);
            response.headers().set(HttpHeaderNames.SEC_WEBSOCKET_VERSION, VERSION);
        }
        log.debug("Answered {} with {}: {}", describe(), status, text);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    static String truncate(String reason) {
        if (reason == null) {
            return "";
        }
        byte[] bytes = reason.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= MAX_REASON_BYTES) {
            return reason;
        }
        int end = reason.length();
        while (reason.substring(0, end).getBytes(StandardCharsets.UTF_8).length > MAX_REASON_BYTES) {
            end--;
        }
        return reason.substring(0, end);
    }

    private String describe() {
        return client != null ? "client " + client.id() : String.valueOf(channel == null ? "?" : channel.remoteAddress());
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (timeout != null) {
            timeout.cancel(false);
        }
        if (request != null) {
            request.release();
            request = null;
        }
        if (client != null) {
            client.closed();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("Closing {} during the handshake: {}", describe(), cause.toString());
        ctx.close();
    }
}
