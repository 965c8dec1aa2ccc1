package io.gatewayworker.bench;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * The two text messages of the benchmark, as the bench app and the ceiling understand them, and the
 * fixed layout the load generator puts in them so that a reply can be matched without decoding it into a
 * {@code String}:
 *
 * <pre>
 *   echo:SSSSSSSSSSSSSSSS:QQQQQQQQxxxx...     sent back to its sender only
 *   all:SSSSSSSSSSSSSSSS:QQQQQQQQxxxx...      sent to every client
 *        └ send time ──┘ └ seq ─┘└ padding up to the message size
 * </pre>
 *
 * {@code S} is the sender's {@link System#nanoTime()} in 16 lowercase hex digits, {@code Q} a sequence
 * number in 8; both are ASCII, so a message of {@code n} characters is {@code n} bytes. Stateless.
 */
public final class Messages {

    /** Prefix of a message that goes back to its sender. */
    public static final String ECHO = "echo:";

    /** Prefix of a message that goes to every client. */
    public static final String ALL = "all:";

    private static final byte[] ECHO_BYTES = ECHO.getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ALL_BYTES = ALL.getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private Messages() {
    }

    /** The shortest message with the given prefix: prefix, 16 + 1 + 8 characters. */
    public static int minSize(String prefix) {
        return prefix.length() + 25;
    }

    /**
     * Writes a message of exactly {@code size} bytes into {@code out}.
     *
     * @throws IllegalArgumentException when {@code size} is below {@link #minSize(String)}
     */
    public static void write(ByteBuf out, String prefix, long sendNanos, int seq, int size) {
        int min = minSize(prefix);
        if (size < min) {
            throw new IllegalArgumentException("size: " + size + " (expected: >= " + min + ")");
        }
        for (int i = 0; i < prefix.length(); i++) {
            out.writeByte(prefix.charAt(i));
        }
        writeHex(out, sendNanos, 16);
        out.writeByte(':');
        writeHex(out, seq & 0xFFFFFFFFL, 8);
        for (int i = min; i < size; i++) {
            out.writeByte('x');
        }
    }

    /** The message as a {@code String} (tests and logs). */
    public static String text(String prefix, long sendNanos, int seq, int size) {
        ByteBuf buf = io.netty.buffer.Unpooled.buffer(size);
        try {
            write(buf, prefix, sendNanos, seq, size);
            return buf.toString(StandardCharsets.US_ASCII);
        } finally {
            buf.release();
        }
    }

    /** True when the readable bytes of {@code content} start with {@code echo:}. */
    public static boolean isEcho(ByteBuf content) {
        return startsWith(content, ECHO_BYTES);
    }

    /** True when the readable bytes of {@code content} start with {@code all:}. */
    public static boolean isAll(ByteBuf content) {
        return startsWith(content, ALL_BYTES);
    }

    /** The send time of a message with the given prefix length; -1 when it is not in the layout above. */
    public static long sendNanos(ByteBuf content, int prefixLength) {
        return readHex(content, content.readerIndex() + prefixLength, 16);
    }

    /** The sequence number of a message with the given prefix length; -1 when it is not in the layout. */
    public static long seq(ByteBuf content, int prefixLength) {
        int at = content.readerIndex() + prefixLength + 16;
        if (content.writerIndex() < at + 9 || content.getByte(at) != ':') {
            return -1;
        }
        return readHex(content, at + 1, 8);
    }

    private static boolean startsWith(ByteBuf content, byte[] prefix) {
        int start = content.readerIndex();
        if (content.readableBytes() < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (content.getByte(start + i) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static void writeHex(ByteBuf out, long value, int digits) {
        for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
            out.writeByte(HEX[(int) (value >>> shift) & 0xF]);
        }
    }

    private static long readHex(ByteBuf in, int from, int digits) {
        if (in.writerIndex() < from + digits) {
            return -1;
        }
        long value = 0;
        for (int i = 0; i < digits; i++) {
            int c = in.getByte(from + i);
            int d;
            if (c >= '0' && c <= '9') {
                d = c - '0';
            } else if (c >= 'a' && c <= 'f') {
                d = c - 'a' + 10;
            } else {
                return -1;
            }
            value = (value << 4) | d;
        }
        return value;
    }
}
