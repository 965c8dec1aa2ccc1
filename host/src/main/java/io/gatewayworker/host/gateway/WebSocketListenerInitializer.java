package io.gatewayworker.host.gateway;

import io.gatewayworker.host.config.Limits;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;

/**
 * The pipeline of a WebSocket client, in this order:
 *
 * <pre>
 *   ConnectionLimitHandler      the listener's connection limit
 *   HttpServerCodec             the upgrade request, header block bounded
 *   HttpObjectAggregator        the request as one object (an upgrade has no body)
 *   WebSocketHandshakeHandler   asks the app, then completes or refuses the handshake; bounded in time
 * after the handshake:
 *   wsdecoder / wsencoder       RFC 6455 frames, payload bounded (added by Netty's handshaker)
 *   Utf8FrameValidator          text frames must be UTF-8 (1007 otherwise)
 *   WebSocketFrameAggregator    fragments into one message, bounded (1009 otherwise)
 *   WebSocketFrameHandler       messages to the client's worker; ping, pong and close
 * </pre>
 */
final class WebSocketListenerInitializer extends ChannelInitializer<Channel> {

    private final GatewayServer gateway;
    private final Listener listener;
    private final WebSocketServerHandshakerFactory handshakers;

    WebSocketListenerInitializer(GatewayServer gateway, Listener listener) {
        this.gateway = gateway;
        this.listener = listener;
        Limits limits = gateway.limits();
        WebSocketDecoderConfig decoder = WebSocketDecoderConfig.newBuilder()
                .maxFramePayloadLength(limits.maxFrameBytes())
                .allowExtensions(false)
                .allowMaskMismatch(false)
                .closeOnProtocolViolation(true)
                .build();
        this.handshakers = new WebSocketServerHandshakerFactory(listener.config().url() + "/", null, decoder);
    }

    @Override
    protected void initChannel(Channel ch) {
        Limits limits = gateway.limits();
        ChannelPipeline p = ch.pipeline();
        p.addLast("ConnectionLimitHandler", listener.limiter());
        p.addLast("HttpServerCodec", new HttpServerCodec(4096, limits.maxHttpHeaderBytes(), 8192));
        p.addLast("HttpObjectAggregator", new HttpObjectAggregator(8192));
        p.addLast("WebSocketHandshakeHandler", new WebSocketHandshakeHandler(gateway, listener, handshakers));
    }
}
