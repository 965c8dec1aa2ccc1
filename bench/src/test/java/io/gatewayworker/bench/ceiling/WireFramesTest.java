package io.gatewayworker.bench.ceiling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class WireFramesTest {

    @Test
    void framesOfEachLengthEncodingDecodeAsTheSameText() {
        for (int length : new int[] {0, 1, 125, 126, 200, 65535, 65536, 70000}) {
            String text = "x".repeat(length);
            ByteBuf payload = Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII);
            ByteBuf wire = WireFrames.textFrame(ByteBufAllocator.DEFAULT, payload);
            int header = length < 126 ? 2 : length <= 65535 ? 4 : 10;
            assertEquals(header + length, wire.readableBytes(), "frame of " + length);
            assertEquals(length, payload.readableBytes(), "the payload is not consumed");
            payload.release();

            // A client's decoder: unmasked frames from the server.
            EmbeddedChannel client = new EmbeddedChannel(new WebSocket13FrameDecoder(WebSocketDecoderConfig.newBuilder()
                    .expectMaskedFrames(false).maxFramePayloadLength(1 << 20).build()));
            client.writeInbound(wire);
            TextWebSocketFrame frame = client.readInbound();
            assertEquals(text, frame.text());
            frame.release();
            assertFalse(client.finish());
        }
    }
}
