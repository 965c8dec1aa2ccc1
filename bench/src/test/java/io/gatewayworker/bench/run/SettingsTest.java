package io.gatewayworker.bench.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.gatewayworker.bench.Options;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class SettingsTest {

    private static Settings parse(String... args) {
        return new Settings(new Options(args, Settings.flags()), Path.of("."), "cp");
    }

    private static String error(String... args) {
        return assertThrows(IllegalArgumentException.class, () -> parse(args)).getMessage();
    }

    @Test
    void defaults() {
        Settings s = parse("echo");
        assertEquals(100, s.clients);
        assertEquals(List.of("host", "ceiling"), s.targets());
        assertEquals(8, s.sources.size());
        assertEquals(List.of(), s.serverJavaOpts);
    }

    @Test
    void badOptionsAreNamed() {
        assertEquals("SCENARIO: missing (expected: one of echo, broadcast, connect, reload)", error());
        assertEquals("SCENARIO: 'ehco' (expected: one of echo, broadcast, connect, reload)", error("ehco"));
        assertEquals("--clients: 0 (expected: > 0)", error("echo", "--clients", "0"));
        assertEquals("--receivers: 16000 (expected: <= 15000: all receivers live in one load process;"
                + " --per-process allows up to 19000)", error("broadcast", "--receivers", "16000"));
        assertEquals("--reload-window: 7.0 (expected: less than --reload-interval, 6.0)",
                error("reload", "--reload-window", "7"));
        assertEquals("--colients: unknown option here (see --help)", error("echo", "--colients", "5"));
        assertEquals("--source-addresses: '192.168.1.1' (expected: an address in 127.0.0.0/8; the benchmark sends"
                + " traffic only over loopback)", error("echo", "--source-addresses", "192.168.1.1"));
    }

    @Test
    void serverJavaOptionsAreSplit() {
        assertEquals(List.of("-XX:+UseParallelGC", "-Xmx512m"),
                parse("echo", "--server-java-opts", " -XX:+UseParallelGC  -Xmx512m ").serverJavaOpts);
    }
}
