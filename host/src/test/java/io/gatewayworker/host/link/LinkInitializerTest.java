package io.gatewayworker.host.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.gatewayworker.host.transport.Transport;
import io.gatewayworker.proto.link.v1.Body;
import io.gatewayworker.proto.link.v1.ClientEvent;
import io.gatewayworker.proto.link.v1.Command;
import io.gatewayworker.proto.link.v1.Envelope;
import io.gatewayworker.proto.link.v1.Send;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import org.junit.jupiter.api.Test;

class LinkInitializerTest {

    private static EmbeddedChannel tcpLink() {
        return new EmbeddedChannel(new LinkInitializer(Transport.TCP, ChannelInboundHandlerAdapter::new, "RoleHandler"));
    }

    @Test
    void envelopesCrossATcpLinkIntact() {
        EmbeddedChannel sender = tcpLink();
        EmbeddedChannel receiver = tcpLink();
        Envelope event = Envelope.newBuilder().setEvent(ClientEvent.newBuilder()
                .setConnection(0xFFFFFFFF).setType(ClientEvent.Type.MESSAGE).setText("héllo")).build();
        Envelope command = Envelope.newBuilder().setCommand(Command.newBuilder().setApp("chat")
                .setSend(Send.newBuilder().addConnections(7).setBody(Body.newBuilder().setText("hi")))).build();
        sender.writeOutbound(event, command);
        ByteBuf wire;
        while ((wire = sender.readOutbound()) != null) {
            // Feed the bytes one at a time: framing must not depend on how TCP splits them.
            while (wire.isReadable()) {
                receiver.writeInbound(wire.readRetainedSlice(1));
            }
            wire.release();
        }
        assertEquals(event, receiver.readInbound());
        assertEquals(command, receiver.readInbound());
        assertNull(receiver.readInbound());
        assertFalse(sender.finish());
        assertFalse(receiver.finish());
    }

    @Test
    void aFrameOverTheLimitIsRefused() {
        EmbeddedChannel receiver = tcpLink();
        ByteBuf header = Unpooled.buffer(4).writeInt(LinkProtocol.MAX_FRAME_BYTES + 1);
        assertThrows(TooLongFrameException.class, () -> receiver.writeInbound(header));
        receiver.finishAndReleaseAll();
    }

    @Test
    void bytesThatAreNotAnEnvelopeAreRefused() {
        EmbeddedChannel receiver = tcpLink();
        ByteBuf garbage = Unpooled.buffer().writeInt(3).writeBytes(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF});
        assertThrows(DecoderException.class, () -> receiver.writeInbound(garbage));
        receiver.finishAndReleaseAll();
    }

    @Test
    void theLocalTransportPassesObjectsAsTheyAre() {
        EmbeddedChannel ch = new EmbeddedChannel(new LinkInitializer(Transport.LOCAL, ChannelInboundHandlerAdapter::new, "RoleHandler"));
        Envelope env = Envelope.newBuilder().setCommand(Command.newBuilder().setApp("chat")).build();
        ch.writeOutbound(env);
        assertEquals(env, ch.readOutbound(), "no encoding in the JVM");
        assertFalse(ch.finish());
    }
}
