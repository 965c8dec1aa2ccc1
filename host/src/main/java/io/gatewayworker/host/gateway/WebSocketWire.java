package io.gatewayworker.host.gateway;

import io.gatewayworker.proto.link.v1.Body;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;

/**
 * Encodes server-to-client WebSocket frames (RFC 6455 section 5.2), unmasked and unfragmented:
 *
 * <pre>
 *   byte 0: FIN | opcode (0x81 text, 0x82 binary)
 *   byte 1: payload length 0-125, or 126 + 2-byte length, or 127 + 8-byte length
 *   payload
 * </pre>
 *
 * The bytes are the same for every receiver, so a broadcast encodes once. Stateless.
 */
final class WebSocketWire implements WireFormat {

    static final WebSocketWire INSTANCE = new WebSocketWire();

    private static final int TEXT = 0x81;
    private static final int BINARY = 0x82;

    private WebSocketWire() {
    }

    @Override
    public ByteBuf encode(Body body, ByteBufAllocator alloc) {
        if (body.hasBinary()) {
            int length = body.getBinary().size();
            ByteBuf buf = alloc.buffer(headerLength(length) + length);
            writeHeader(buf, BINARY, length);
            body.getBinary().copyTo(buf.internalNioBuffer(buf.writerIndex(), length));
            buf.writerIndex(buf.writerIndex() + length);
            return buf;
        }
        String text = body.getText();
        int length = ByteBufUtil.utf8Bytes(text);
        ByteBuf buf = alloc.buffer(headerLength(length) + length);
        writeHeader(buf, TEXT, length);
        ByteBufUtil.reserveAndWriteUtf8(buf, text, length);
        return buf;
    }

    private static int headerLength(int length) {
        return length <= 125 ? 2 : length <= 0xFFFF ? 4 : 10;
    }

    private static void writeHeader(ByteBuf buf, int first, int length) {
        buf.writeByte(first);
        if (length <= 125) {
            buf.writeByte(length);
        } else if (length <= 0xFFFF) {
            buf.writeByte(126);
            buf.writeShort(length);
        } else {
            buf.writeByte(127);
            buf.writeLong(length);
        }
    }
}
