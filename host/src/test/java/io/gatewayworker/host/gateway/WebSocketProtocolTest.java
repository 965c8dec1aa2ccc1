package io.gatewayworker.host.gateway;

import static io.gatewayworker.host.gateway.WebSocketRig.closeFrame;
import static io.gatewayworker.host.gateway.WebSocketRig.frame;
import static io.gatewayworker.host.gateway.WebSocketRig.masked;
import static io.gatewayworker.host.gateway.WebSocketRig.maskedText;
import static io.gatewayworker.host.gateway.WebSocketRig.readFrames;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatewayworker.host.config.Limits;
import io.gatewayworker.host.gateway.WebSocketRig.Frame;
import io.gatewayworker.proto.link.v1.ClientEvent;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An open connection's framing and closing handshake against RFC 6455, case by case after the
 * categories of the Autobahn test suite (2 pings and pongs, 3 reserved bits, 4 opcodes, 5
 * fragmentation, 7 close handling), on the real listener pipeline. A violation fails the connection:
 * a close frame with the code the RFC names, the connection closed, one log line naming the client, and
 * nothing of it reaches the app.
 */
class WebSocketProtocolTest {

    private static final byte[] HELLO = "hello".getBytes(StandardCharsets.UTF_8);

    private WebSocketRig rig;
    private EmbeddedChannel client;

    @BeforeEach
    void setUp() {
        rig = new WebSocketRig(Limits.defaults());
        client = rig.openClient();
    }

    @AfterEach
    void tearDown() {
        rig.close();
    }

    // ------------------------------------------------------------------ violations: 1002

    @ParameterizedTest(name = "first byte 0x{0}")
    @ValueSource(strings = {"C1", "A1", "91", "F1", "C9", "92"})
    void reservedBitsWithoutAnExtensionFailWith1002(String firstByte) {
        assertFails(1002, "RSV", masked(Integer.parseInt(firstByte, 16), HELLO));
    }

    @ParameterizedTest(name = "opcode {0}")
    @ValueSource(ints = {3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF})
    void reservedOpcodesFailWith1002(int opcode) {
        assertFails(1002, "reserved opcode", masked(0x80 | opcode, HELLO));
    }

    @ParameterizedTest(name = "opcode {0}")
    @ValueSource(ints = {0x8, 0x9, 0xA})
    void aControlFrameOver125BytesFailsWith1002(int opcode) {
        byte[] payload = new byte[126];
        payload[0] = 0x03; // a close frame's code would be 1000
        payload[1] = (byte) 0xE8;
        assertFails(1002, "125", masked(0x80 | opcode, payload));
    }

    @ParameterizedTest(name = "opcode {0}")
    @ValueSource(ints = {0x8, 0x9, 0xA})
    void aFragmentedControlFrameFailsWith1002(int opcode) {
        assertFails(1002, "fragmented control frame", masked(opcode, new byte[] {0x03, (byte) 0xE8}));
    }

    @ParameterizedTest(name = "first byte 0x{0}")
    @ValueSource(strings = {"81", "82", "89", "01"})
    void anUnmaskedClientFrameFailsWith1002(String firstByte) {
        assertFails(1002, "not masked", frame(Integer.parseInt(firstByte, 16), false, HELLO));
    }

    @ParameterizedTest(name = "first byte 0x{0}")
    @ValueSource(strings = {"80", "00"})
    void aContinuationWithNoMessageStartedFailsWith1002(String firstByte) {
        assertFails(1002, "continuation", masked(Integer.parseInt(firstByte, 16), HELLO));
    }

    @ParameterizedTest(name = "0x{0} after an unfinished message")
    @ValueSource(strings = {"81", "82", "01", "02"})
    void aNewDataFrameWhileAFragmentedMessageIsInProgressFailsWith1002(String firstByte) {
        client.writeInbound(masked(0x01, "frag".getBytes(StandardCharsets.UTF_8)));
        assertFails(1002, "fragmented message", masked(Integer.parseInt(firstByte, 16), HELLO));
    }

    // ------------------------------------------------------------------ the closing handshake

    @ParameterizedTest(name = "code {0}")
    @ValueSource(ints = {1000, 1001, 1003, 1011, 3000, 4999})
    void aCloseWithAValidCodeIsAnsweredAndEndsTheConnection(int code) {
        client.writeInbound(closeFrame(code, "bye".getBytes(StandardCharsets.UTF_8)));
        List<Frame> frames = readFrames(client);
        assertEquals(1, frames.size(), "one close frame");
        assertEquals(code, frames.get(0).closeCode(), "the code is echoed");
        assertConnectionEnded();
    }

    @Test
    void aCloseWithNoPayloadIsAnsweredAndEndsTheConnection() {
        client.writeInbound(masked(0x88, new byte[0]));
        List<Frame> frames = readFrames(client);
        assertEquals(1, frames.size(), "one close frame");
        assertEquals(0x88, frames.get(0).first());
        assertConnectionEnded();
    }

    @ParameterizedTest(name = "code {0}")
    @ValueSource(ints = {0, 999, 1004, 1005, 1006, 1015, 1016, 2000, 2999, 5000, 32768, 65535})
    void aCloseWithACodeNoEndpointMaySendFailsWith1002(int code) {
        assertFails(1002, "close frame with code " + code, closeFrame(code, new byte[0]));
    }

    @Test
    void aCloseWithA1BytePayloadFailsWith1002() {
        assertFails(1002, "payload len 1", masked(0x88, new byte[] {0x03}));
    }

    @Test
    void aCloseWhoseReasonIsNotUtf8FailsWith1007() {
        assertFails(1007, "UTF-8", closeFrame(1000, new byte[] {'o', 'k', (byte) 0xC3, 0x28}));
    }

    @Test
    void nothingAfterTheClientsCloseReachesTheApp() {
        ByteBuf close = closeFrame(1000, new byte[0]);
        client.writeInbound(close.writeBytes(maskedText("after")));
        assertEquals(1000, readFrames(client).get(0).closeCode());
        assertConnectionEnded();
    }

    // ------------------------------------------------------------------ what is fine stays fine

    @Test
    void aPingOf125BytesIsAnsweredWithThePayload() {
        byte[] payload = new byte[125];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) i;
        }
        client.writeInbound(masked(0x89, payload));
        List<Frame> frames = readFrames(client);
        assertEquals(1, frames.size());
        assertEquals(0x8A, frames.get(0).first(), "a pong");
        assertArrayEquals(payload, frames.get(0).payload());
        assertTrue(client.isActive());
    }

    @Test
    void controlFramesBetweenFragmentsAreAnsweredAndTheMessageStaysWhole() {
        client.writeInbound(masked(0x01, "fr".getBytes(StandardCharsets.UTF_8)));
        client.writeInbound(masked(0x89, "p".getBytes(StandardCharsets.UTF_8)));
        client.writeInbound(masked(0x8A, new byte[0]));
        client.writeInbound(masked(0x00, "ag".getBytes(StandardCharsets.UTF_8)));
        client.writeInbound(masked(0x80, "ment".getBytes(StandardCharsets.UTF_8)));
        List<Frame> frames = readFrames(client);
        assertEquals(1, frames.size());
        assertEquals(0x8A, frames.get(0).first(), "the ping is answered");
        List<ClientEvent> events = rig.events();
        assertEquals(1, events.size(), events::toString);
        assertEquals("fragment", events.get(0).getText());
        assertTrue(client.isActive());
    }

    // ------------------------------------------------------------------ the rest

    /**
     * {@code bad} fails the connection: a close frame with {@code code} is the last thing written, the
     * connection ends, the worker hears CLOSE and no message, and one line in the log names the client,
     * the code and the reason ({@code reasonPart}).
     */
    private void assertFails(int code, String reasonPart, ByteBuf bad) {
        String id = rig.gateway.table().idOf(rig.connection);
        try (LogCapture log = LogCapture.of(WebSocketFrameHandler.class)) {
            client.writeInbound(bad);
            List<Frame> frames = readFrames(client);
            assertFalse(frames.isEmpty(), "a close frame");
            Frame close = frames.get(frames.size() - 1);
            assertEquals(code, close.closeCode(), () -> "close code, reason '" + close.closeReason() + "'");
            assertTrue(close.closeReason().contains(reasonPart), close.closeReason());
            List<String> lines = log.linesWith("client " + id, "close code " + code, reasonPart);
            assertEquals(1, lines.size(), () -> "one line with the client, the code and the reason: " + log.lines());
        }
        assertConnectionEnded();
    }

    private void assertConnectionEnded() {
        client.runPendingTasks();
        assertFalse(client.isActive(), "the connection is closed");
        List<ClientEvent> events = rig.events();
        assertEquals(List.of(ClientEvent.Type.CLOSE), events.stream().map(ClientEvent::getType).toList(),
                "the worker hears CLOSE and nothing else");
        assertEquals(0, rig.gateway.clientCount());
        assertEquals(0, rig.openConnections());
    }
}
