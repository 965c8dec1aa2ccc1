package io.gatewayworker.bench.ceiling;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;

/**
 * The pipeline of a ceiling connection, in this order:
 *
 * <pre>
 *   HttpServerCodec           upgrade request (header block bounded to 8 KiB); replaced by the
 *                             WebSocket frame decoder and encoder at the handshake
 *   HttpObjectAggregator      the request as one message (bounded; removed at the handshake)
 *   CeilingHandshakeHandler   the handshake; then replaced by CeilingFrameHandler
 * </pre>
 *
 * Sharable: it holds only the shared {@link Broadcaster}.
 */
final class CeilingInitializer extends ChannelInitializer<SocketChannel> {

    private final Broadcaster broadcaster;
    private final boolean batchBroadcasts;

    CeilingInitializer(Broadcaster broadcaster, boolean batchBroadcasts) {
        this.broadcaster = broadcaster;
        this.batchBroadcasts = batchBroadcasts;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ChannelPipeline p = ch.pipeline();
        p.addLast("http", new HttpServerCodec(4096, 8192, 8192));
        p.addLast("aggregator", new HttpObjectAggregator(8192));
        p.addLast("handshake", new CeilingHandshakeHandler(broadcaster, batchBroadcasts));
    }
}
