package io.gatewayworker.host.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.local.LocalAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class InternalAddressTest {

    @Test
    void parsesAndPacks() {
        InternalAddress a = InternalAddress.parse("127.0.0.1:2300");
        assertEquals("127.0.0.1", a.host());
        assertEquals(2300, a.port());
        assertEquals(0x7f000001, a.ipv4());
        assertEquals(a, InternalAddress.of(0x7f000001, 2300));
        assertEquals("127.0.0.1:2300", a.toString());
        assertEquals(InternalAddress.of(-1, 65535), InternalAddress.parse("255.255.255.255:65535"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.0.0.1:", ":2300", "localhost:2300", "127.0.0.256:1", "1.2.3:4",
            "127.0.0.1:70000", "127.0.0.1:x", "[::1]:2300"})
    void rejectsWhatIsNotIpv4AndPort(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> InternalAddress.parse(text));
        assertTrue(e.getMessage().contains("expected"), e.getMessage());
    }

    @Test
    void mapsToTheTransportsAddress() {
        InternalAddress a = InternalAddress.parse("127.0.0.1:2300");
        assertInstanceOf(InetSocketAddress.class, a.socketAddress(Transport.TCP, "n", "gateway"));
        LocalAddress one = (LocalAddress) a.socketAddress(Transport.LOCAL, "host-1", "gateway");
        LocalAddress two = (LocalAddress) a.socketAddress(Transport.LOCAL, "host-2", "gateway");
        assertNotEquals(one, two, "hosts in one JVM keep apart");
        assertTrue(one.id().contains("127.0.0.1:2300"));
    }
}
