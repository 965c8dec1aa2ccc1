package io.gatewayworker.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MessagesTest {

    @Test
    void echoMessageCarriesItsSendTimeAndSequenceAtFixedPlaces() {
        String text = Messages.text(Messages.ECHO, 0x1234_5678_9ABCL, 42, 40);
        assertEquals("echo:0000123456789abc:0000002axxxxxxxxxx", text);
        ByteBuf buf = Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII);
        try {
            assertTrue(Messages.isEcho(buf));
            assertFalse(Messages.isAll(buf));
            assertEquals(0x1234_5678_9ABCL, Messages.sendNanos(buf, Messages.ECHO.length()));
            assertEquals(42, Messages.seq(buf, Messages.ECHO.length()));
        } finally {
            buf.release();
        }
    }

    @Test
    void allMessageOfTheSmallestSize() {
        String text = Messages.text(Messages.ALL, 7, -1, Messages.minSize(Messages.ALL));
        assertEquals("all:0000000000000007:ffffffff", text);
        ByteBuf buf = Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII);
        try {
            assertTrue(Messages.isAll(buf));
            assertEquals(0xFFFF_FFFFL, Messages.seq(buf, Messages.ALL.length()));
        } finally {
            buf.release();
        }
    }

    @Test
    void somethingElseIsNotInTheLayout() {
        ByteBuf buf = Unpooled.copiedBuffer("echo:hello", StandardCharsets.US_ASCII);
        try {
            assertTrue(Messages.isEcho(buf));
            assertEquals(-1, Messages.seq(buf, Messages.ECHO.length()));
            assertEquals(-1, Messages.sendNanos(buf, Messages.ECHO.length()));
        } finally {
            buf.release();
        }
        ByteBuf shortOne = Unpooled.copiedBuffer("ech", StandardCharsets.US_ASCII);
        try {
            assertFalse(Messages.isEcho(shortOne));
        } finally {
            shortOne.release();
        }
    }

    @Test
    void tooSmallASizeIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Messages.text(Messages.ECHO, 1, 1, 10));
        assertEquals("size: 10 (expected: >= 30)", e.getMessage());
    }
}
