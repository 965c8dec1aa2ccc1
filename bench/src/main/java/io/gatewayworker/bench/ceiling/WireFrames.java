package io.gatewayworker.bench.ceiling;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Encodes a server-to-client WebSocket text frame (RFC 6455 §5.2) to its wire bytes. Server frames are
 * not masked, so the same bytes suit every receiver: a broadcast is encoded once and written to each
 * channel as a retained duplicate, past the frame encoder.
 *
 * <pre>
 *   0x81 (FIN, text) | length: 7 bits, or 126 + 16 bits, or 127 + 64 bits | payload
 * </pre>
 *
 * Stateless; any thread.
 */
public final class WireFrames {

    private WireFrames() {
    }

    /** A new buffer with the whole frame whose payload is the readable bytes of {@code payload}. */
    public static ByteBuf textFrame(ByteBufAllocator alloc, ByteBuf payload) {
        int length = payload.readableBytes();
        int header = length < 126 ? 2 : length <= 0xFFFF ? 4 : 10;
        ByteBuf out = alloc.directBuffer(header + length);
        out.writeByte(0x81);
        if (length < 126) {
            out.writeByte(length);
        } else if (length <= 0xFFFF) {
            out.writeByte(126);
            out.writeShort(length);
        } else {
            out.writeByte(127);
            out.writeLong(length);
        }
        out.writeBytes(payload, payload.readerIndex(), length);
        return out;
    }
}
