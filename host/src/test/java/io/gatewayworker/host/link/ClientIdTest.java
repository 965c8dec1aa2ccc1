package io.gatewayworker.host.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatewayworker.api.GatewayException;
import io.gatewayworker.host.transport.InternalAddress;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ClientIdTest {

    @Test
    void formatsLikeGatewayWorker() {
        // 127.0.0.1:2300, connection 1: the id GatewayWorker hands out for the same values.
        assertEquals("7f00000108fc00000001", ClientId.format(0x7f000001, 2300, 1));
    }

    @Test
    void roundTripsEdgeValues() {
        int[][] cases = {{0, 0, 0}, {-1, 0xFFFF, -1}, {0x0a000005, 2300, Integer.MIN_VALUE}, {0x7f000001, 1, 42}};
        for (int[] c : cases) {
            String text = ClientId.format(c[0], c[1], c[2]);
            assertEquals(20, text.length());
            assertEquals(new ClientId(c[0], c[1], c[2]), ClientId.parse(text));
        }
    }

    @Test
    void roundTripsRandomIds() {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 10_000; i++) {
            ClientId id = new ClientId(random.nextInt(), random.nextInt(0x10000), random.nextInt());
            assertEquals(id, ClientId.parse(id.toString()));
        }
    }

    @Test
    void decodesTheOwningGateway() {
        ClientId id = ClientId.parse("0a00000508fd0000002a");
        assertEquals(new InternalAddress("10.0.0.5", 2301), id.gateway());
        assertEquals(new InternalAddress("10.0.0.5", 2301).key(), id.gatewayKey());
        assertEquals(42, id.connection());
    }

    @Test
    void acceptsUpperCaseHex() {
        assertEquals(ClientId.parse("7f00000108fc0000abcd"), ClientId.parse("7F00000108FC0000ABCD"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "7f00000108fc0000000", "7f00000108fc000000011", "7f00000108fc0000000g",
            "7f000001-8fc00000001", " 7f00000108fc0000001", "zzzzzzzzzzzzzzzzzzzz"})
    void rejectsMalformedIds(String text) {
        GatewayException e = assertThrows(GatewayException.class, () -> ClientId.parse(text));
        assertTrue(e.getMessage().contains("expected: 20 hex characters"), e.getMessage());
    }

    @Test
    void rejectsNull() {
        assertThrows(GatewayException.class, () -> ClientId.parse(null));
    }

    @Test
    void errorNamesTheBadCharacter() {
        GatewayException e = assertThrows(GatewayException.class, () -> ClientId.parse("7f00000108fc0000000x"));
        assertTrue(e.getMessage().contains("'x' at position 19"), e.getMessage());
    }
}
