package io.gatewayworker.bench.ceiling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CeilingFrameHandlerTest {

    @Test
    void echoIsWrittenBackAsItIsAndFlushedAtTheEndOfTheReadBatch() {
        EmbeddedChannel ch = new EmbeddedChannel();
        Broadcaster broadcaster = new Broadcaster(ch.eventLoop());
        ch.pipeline().addLast(new CeilingFrameHandler(broadcaster));
        TextWebSocketFrame in = new TextWebSocketFrame("echo:hello");
        ch.pipeline().fireChannelRead(in);
        assertNull(ch.readOutbound(), "not flushed before the read batch ends");
        ch.pipeline().fireChannelReadComplete();
        TextWebSocketFrame out = ch.readOutbound();
        assertSame(in, out);
        assertEquals("echo:hello", out.text());
        out.release();
        assertFalse(ch.finish());
    }

    @Test
    void aTextMessageThatIsNotUtf8IsClosedWith1007AsTheHostDoes() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.pipeline().addLast(new CeilingFrameHandler(new Broadcaster(ch.eventLoop())));
        ch.pipeline().fireChannelRead(new TextWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {'e', 'c', (byte) 0xC3, 0x28})));
        io.netty.handler.codec.http.websocketx.CloseWebSocketFrame close = ch.readOutbound();
        assertEquals(1007, close.statusCode());
        close.release();
        assertFalse(ch.isOpen());
    }

    @Test
    void allGoesToEveryClientOnTheLoopAsWireBytes() {
        EmbeddedChannel sender = new EmbeddedChannel();
        Broadcaster broadcaster = new Broadcaster(sender.eventLoop());
        sender.pipeline().addLast(new CeilingFrameHandler(broadcaster));
        broadcaster.add(sender);
        assertEquals(1, broadcaster.size());

        sender.writeInbound(new TextWebSocketFrame("all:hi"));
        ByteBuf wire = sender.readOutbound();
        assertEquals(0x81, wire.readUnsignedByte());
        assertEquals(6, wire.readUnsignedByte());
        assertEquals("all:hi", wire.toString(StandardCharsets.US_ASCII));
        wire.release();

        sender.close();
        assertEquals(0, broadcaster.size());
        assertFalse(sender.finish());
    }

    @Test
    void broadcastsOfOneReadBatchLeaveTogetherInOrder() {
        EmbeddedChannel sender = new EmbeddedChannel();
        Broadcaster broadcaster = new Broadcaster(sender.eventLoop());
        sender.pipeline().addLast(new CeilingFrameHandler(broadcaster));
        broadcaster.add(sender);

        sender.pipeline().fireChannelRead(new TextWebSocketFrame("all:1"));
        sender.pipeline().fireChannelRead(new TextWebSocketFrame("all:2"));
        assertNull(sender.readOutbound(), "nothing leaves before the read batch ends");
        sender.pipeline().fireChannelReadComplete();
        for (String expected : new String[] {"all:1", "all:2"}) {
            ByteBuf wire = sender.readOutbound();
            wire.skipBytes(2);
            assertEquals(expected, wire.toString(StandardCharsets.US_ASCII));
            wire.release();
        }
        assertNull(sender.readOutbound());
        assertFalse(sender.finishAndReleaseAll());
    }

    @Test
    void withoutBatchingEachBroadcastLeavesAtOnce() {
        EmbeddedChannel sender = new EmbeddedChannel();
        Broadcaster broadcaster = new Broadcaster(sender.eventLoop());
        sender.pipeline().addLast(new CeilingFrameHandler(broadcaster, false));
        broadcaster.add(sender);
        sender.pipeline().fireChannelRead(new TextWebSocketFrame("all:1"));
        ByteBuf wire = sender.readOutbound();
        wire.skipBytes(2);
        assertEquals("all:1", wire.toString(StandardCharsets.US_ASCII));
        wire.release();
        assertFalse(sender.finishAndReleaseAll());
    }

    @Test
    void pingIsAnsweredAndOtherTextIgnored() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.pipeline().addLast(new CeilingFrameHandler(new Broadcaster(ch.eventLoop())));
        ch.writeInbound(new PingWebSocketFrame(Unpooled.copiedBuffer("p", StandardCharsets.US_ASCII)));
        PongWebSocketFrame pong = ch.readOutbound();
        assertEquals("p", pong.content().toString(StandardCharsets.US_ASCII));
        pong.release();
        ch.writeInbound(new TextWebSocketFrame("hello"));
        assertNull(ch.readOutbound());
        assertFalse(ch.finish());
    }
}
