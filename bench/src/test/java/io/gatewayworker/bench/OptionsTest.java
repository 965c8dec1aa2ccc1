package io.gatewayworker.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OptionsTest {

    private static Options of(String... args) {
        return new Options(args, Set.of("--threads"));
    }

    private static String error(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @Test
    void readsValuesFlagsAndPositionalArguments() {
        Options o = of("echo", "--clients", "1,000", "--warmup=500ms", "--threads", "--duration", "2m");
        assertEquals(List.of("echo"), o.positional());
        assertEquals(1000, o.integer("--clients", 100, 1, 10_000));
        assertEquals(0.5, o.seconds("--warmup", 5, 0, 60));
        assertEquals(120, o.seconds("--duration", 15, 1, 3600));
        assertTrue(o.flag("--threads"));
        o.checkAllUsed();
    }

    @Test
    void badValuesNameTheOptionAndTheExpectation() {
        assertEquals("--clients: 0 (expected: > 0)", error(() -> of("--clients", "0").integer("--clients", 1, 1, 10)));
        assertEquals("--clients: 11 (expected: <= 10)", error(() -> of("--clients", "11").integer("--clients", 1, 1, 10)));
        assertEquals("--clients: 'many' (expected: a whole number)",
                error(() -> of("--clients", "many").integer("--clients", 1, 1, 10)));
        assertEquals("--hold: -1 (expected: 0 to 60 seconds)", error(() -> of("--hold", "-1").seconds("--hold", 1, 0, 60)));
        assertEquals("--target: 'both2' (expected: one of both, host, ceiling)",
                error(() -> of("--target", "both2").choice("--target", "both", "both", "host", "ceiling")));
        assertEquals("--clients: needs a value", error(() -> of("--clients")));
    }

    @Test
    void unknownOptionsAreReported() {
        Options o = of("--clinets", "5");
        o.integer("--clients", 1, 1, 10);
        assertEquals("--clinets: unknown option here (see --help)", error(o::checkAllUsed));
    }

    @Test
    void addressesMustBeLoopback() throws Exception {
        List<InetAddress> list = of("--source-addresses", "127.0.1.1-127.0.1.3,127.0.2.9")
                .loopbackList("--source-addresses", "127.0.0.1");
        assertEquals(List.of(InetAddress.getByName("127.0.1.1"), InetAddress.getByName("127.0.1.2"),
                InetAddress.getByName("127.0.1.3"), InetAddress.getByName("127.0.2.9")), list);
        assertEquals("--host: '10.0.0.1' (expected: an address in 127.0.0.0/8; the benchmark sends traffic only over loopback)",
                error(() -> of("--host", "10.0.0.1").loopback("--host", "127.0.0.1")));
        assertEquals("--source-addresses: '127.0.1.5-127.0.1.1' (expected: a range that varies only the last byte,"
                + " low to high, such as 127.0.1.1-127.0.1.8)",
                error(() -> of("--source-addresses", "127.0.1.5-127.0.1.1").loopbackList("--source-addresses", "")));
        assertEquals("--host: 'localhost' (expected: an IPv4 address in 127.0.0.0/8)",
                error(() -> of("--host", "localhost").loopback("--host", "127.0.0.1")));
    }
}
