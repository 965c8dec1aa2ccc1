package io.gatewayworker.host.link;

import io.gatewayworker.host.config.ClusterConfig;
import io.gatewayworker.host.transport.Transport;
import io.gatewayworker.proto.link.v1.Envelope;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ServerChannelRecvByteBufAllocator;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.handler.codec.protobuf.ProtobufDecoder;
import io.netty.handler.codec.protobuf.ProtobufEncoder;
import java.util.function.Supplier;

/**
 * Builds the pipeline of an internal link, the same for every role. On {@link Transport#TCP}:
 *
 * <pre>
 *   LinkFrameDecoder   bounded length-prefixed frames ({@link LinkProtocol#MAX_FRAME_BYTES})
 *   LinkFrameEncoder   4-byte length prefix
 *   EnvelopeDecoder    protobuf bytes -> Envelope
 *   EnvelopeEncoder    Envelope -> protobuf bytes
 *   LinkAuthHandler    both sides prove the cluster secret (a challenge, then leaves)
 *   LinkHeartbeatHandler  pings when idle, closes a link whose peer fell silent
 *   (role handler)     reads and writes Envelope objects
 * </pre>
 *
 * On {@link Transport#LOCAL} only the role handler: Envelope objects pass between the roles as they are,
 * read in bursts of up to 256.
 */
public final class LinkInitializer extends ChannelInitializer<Channel> {

    private static final ProtobufDecoder ENVELOPE_DECODER = new ProtobufDecoder(Envelope.getDefaultInstance());
    private static final ProtobufEncoder ENVELOPE_ENCODER = new ProtobufEncoder();
    private static final LengthFieldPrepender FRAME_ENCODER = new LengthFieldPrepender(4);

    /**
     * What a TCP link needs besides its codec: which side it is, the cluster's secret and heartbeat, and
     * how to name the link in log lines.
     */
    public record Tcp(boolean accepting, ClusterConfig cluster, String what) {
    }

    private final Transport transport;
    private final Supplier<? extends ChannelHandler> handler;
    private final String handlerName;
    private final Tcp tcp;

    /**
     * @param transport the link's transport
     * @param handler makes the role's handler for each new link
     * @param handlerName the pipeline name of that handler
     */
    public LinkInitializer(Transport transport, Supplier<? extends ChannelHandler> handler, String handlerName) {
        this(transport, handler, handlerName, null);
    }

    /**
     * @param tcp on {@link Transport#TCP}: authentication and heartbeat settings (null: neither, for tests
     *        of the bare codec)
     */
    public LinkInitializer(Transport transport, Supplier<? extends ChannelHandler> handler, String handlerName, Tcp tcp) {
        this.transport = transport;
        this.handler = handler;
        this.handlerName = handlerName;
        this.tcp = tcp;
    }

    @Override
    protected void initChannel(Channel ch) {
        ChannelPipeline p = ch.pipeline();
        if (transport == Transport.LOCAL) {
            // The in-JVM channel reads one message per read unless told to ignore that no bytes were read:
            // read up to 256 messages per burst, so that the handlers see bursts and batch their work.
            ch.config().setRecvByteBufAllocator(new ServerChannelRecvByteBufAllocator().maxMessagesPerRead(256));
        }
        if (transport == Transport.TCP) {
            ch.config().setOption(ChannelOption.TCP_NODELAY, true);
            p.addLast("LinkFrameDecoder", new LengthFieldBasedFrameDecoder(LinkProtocol.MAX_FRAME_BYTES, 0, 4, 0, 4));
            p.addLast("LinkFrameEncoder", FRAME_ENCODER);
            p.addLast("EnvelopeDecoder", ENVELOPE_DECODER);
            p.addLast("EnvelopeEncoder", ENVELOPE_ENCODER);
            if (tcp != null) {
                p.addLast("LinkAuthHandler", new LinkAuthHandler(tcp.accepting(), tcp.cluster().secret(), tcp.what()));
                p.addLast("LinkHeartbeatHandler", new LinkHeartbeatHandler(tcp.cluster().heartbeat(),
                        tcp.cluster().heartbeatTimeout(), tcp.what()));
            }
        }
        p.addLast(handlerName, handler.get());
    }
}
