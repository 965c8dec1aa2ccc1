package io.gatewayworker.host.link;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatewayworker.api.GatewayException;
import io.gatewayworker.proto.link.v1.Session;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SessionCodecTest {

    @Test
    void everyValueComesBackWithItsType() throws Exception {
        Map<String, Object> in = new LinkedHashMap<>();
        in.put("s", "text");
        in.put("i", 42);
        in.put("l", 1L << 40);
        in.put("d", 2.5);
        in.put("f", 1.5f);
        in.put("b", true);
        in.put("bytes", new byte[] {1, 2, 3});
        in.put("null", null);
        in.put("list", List.of(1, "two", List.of(3L)));
        in.put("map", Map.of("room", "lobby", "n", 7));
        Session encoded = SessionCodec.encode(in);
        Map<String, Object> out = SessionCodec.decode(Session.parseFrom(encoded.toByteArray()));

        assertEquals("text", out.get("s"));
        assertEquals(42, out.get("i"));
        assertEquals(1L << 40, out.get("l"));
        assertEquals(2.5, out.get("d"));
        assertEquals(1.5f, out.get("f"));
        assertEquals(true, out.get("b"));
        assertArrayEquals(new byte[] {1, 2, 3}, (byte[]) out.get("bytes"));
        assertTrue(out.containsKey("null"));
        assertNull(out.get("null"));
        assertEquals(List.of(1, "two", List.of(3L)), out.get("list"));
        assertEquals(Map.of("room", "lobby", "n", 7), out.get("map"));
    }

    @Test
    void decodedCollectionsAreMutable() {
        Map<String, Object> out = SessionCodec.decode(SessionCodec.encode(Map.of("list", List.of(1), "map", Map.of())));
        assertInstanceOf(ArrayList.class, out.get("list"));
        assertInstanceOf(LinkedHashMap.class, out.get("map"));
        out.put("new", 1);
    }

    @Test
    void equalMapsEncodeEqual() {
        Map<String, Object> a = new HashMap<>(Map.of("x", 1, "y", List.of("a")));
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("y", List.of("a"));
        b.put("x", 1);
        assertEquals(SessionCodec.encode(a), SessionCodec.encode(b));
    }

    @Test
    void unsupportedTypeIsNamedWithItsKey() {
        GatewayException e = assertThrows(GatewayException.class,
                () -> SessionCodec.encode(Map.of("user", Map.of("since", Instant.EPOCH))));
        assertTrue(e.getMessage().contains("'user.since'"), e.getMessage());
        assertTrue(e.getMessage().contains("java.time.Instant"), e.getMessage());
    }

    @Test
    void nonStringMapKeysAreRefused() {
        GatewayException e = assertThrows(GatewayException.class, () -> SessionCodec.encode(Map.of("m", Map.of(1, "x"))));
        assertTrue(e.getMessage().contains("String keys"), e.getMessage());
    }

    @Test
    void cyclesAreRefusedNotOverflowed() {
        List<Object> loop = new ArrayList<>();
        loop.add(loop);
        GatewayException e = assertThrows(GatewayException.class, () -> SessionCodec.encode(Map.of("loop", loop)));
        assertTrue(e.getMessage().contains("deeper than"), e.getMessage());
    }
}
