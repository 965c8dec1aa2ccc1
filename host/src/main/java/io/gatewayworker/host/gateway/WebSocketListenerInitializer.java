package io.gatewayworker.host.gateway;

import io.gatewayworker.host.config.Limits;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;

/**
 * The pipeline of a WebSocket client, in this order:
 *
 * <pre>
 *   ConnectionLimitHandler      the listener's connection limit (leaves once the connection is counted)
 *   HttpServerCodec             the upgrade request, request line and header block bounded (414, 431)
 *   HttpObjectAggregator        the request as one object (an upgrade has no body)
 *   WebSocketHandshakeHandler   version 13 only (426 otherwise), asks the app, then completes or refuses
 *                               the handshake; bounded in time
 * after the handshake (the HTTP handlers and the handshake handler leave):
 *   wsencoder / wsdecoder       RFC 6455 frames, payload bounded (1009), close frames checked (1002,
 *                               1007); a protocol violation fails the connection with 1002
 *                               (added by the handshaker, {@link WebSocket13Handshaker})
 *   WebSocketFrameAggregator    fragments into one message, bounded (1009 otherwise)
 *   WebSocketFrameHandler       messages to the client's worker (text checked as UTF-8 there, 1007);
 *                               ping, pong and close
 * </pre>
 */
final class WebSocketListenerInitializer extends ChannelInitializer<Channel> {

    /** Longest request line (method, target, version) of an upgrade request. */
    static final int MAX_REQUEST_LINE_BYTES = 4096;

    private final GatewayServer gateway;
    private final Listener listener;
    private final String webSocketUrl;
    private final WebSocketDecoderConfig decoder;

    WebSocketListenerInitializer(GatewayServer gateway, Listener listener) {
        this.gateway = gateway;
        this.listener = listener;
        Limits limits = gateway.limits();
        this.decoder = WebSocketDecoderConfig.newBuilder()
                .maxFramePayloadLength(limits.maxFrameBytes())
                .allowExtensions(false)
                .allowMaskMismatch(false)
                .closeOnProtocolViolation(true)
                .build();
        this.webSocketUrl = listener.config().url() + "/";
    }

    @Override
    protected void initChannel(Channel ch) {
        Limits limits = gateway.limits();
        ChannelPipeline p = ch.pipeline();
        p.addLast("ConnectionLimitHandler", listener.limiter());
        p.addLast("HttpServerCodec", new HttpServerCodec(MAX_REQUEST_LINE_BYTES, limits.maxHttpHeaderBytes(), 8192));
        p.addLast("HttpObjectAggregator", new HttpObjectAggregator(8192));
        p.addLast("WebSocketHandshakeHandler", new WebSocketHandshakeHandler(gateway, listener, webSocketUrl, decoder));
    }
}
