package io.gatewayworker.host.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    private static final Path SHIPPED = Path.of("..", "conf", "gatewayworker.conf");

    @TempDir
    Path dir;

    @Test
    void theShippedFileDocumentsEveryKeyWithItsDefault() throws Exception {
        String text = Files.readString(SHIPPED);
        for (ConfigLoader.Key key : ConfigLoader.KEYS) {
            assertTrue(text.contains("\n#" + key.name() + " = " + key.defaultValue() + "\n"),
                    "conf/gatewayworker.conf lacks '#" + key.name() + " = " + key.defaultValue() + "'");
            String description = key.description().substring(0, Math.min(30, key.description().length()));
            assertTrue(text.contains(description), "conf/gatewayworker.conf lacks the description of " + key.name());
        }
    }

    @Test
    void theShippedFileAndEveryDefaultGiveTheBuiltInDefaults() throws Exception {
        assertEquals(HostConfig.defaults(), ConfigLoader.load(SHIPPED, Map.of()));
        // Every documented default, set explicitly, means the same.
        StringBuilder all = new StringBuilder();
        for (ConfigLoader.Key key : ConfigLoader.KEYS) {
            all.append(key.name()).append(" = ").append(key.defaultValue()).append('\n');
        }
        Path file = Files.writeString(dir.resolve("all.conf"), all);
        assertEquals(HostConfig.defaults(), ConfigLoader.load(file, Map.of()));
        // What config shows is itself a valid file that means the same.
        Path rendered = Files.writeString(dir.resolve("rendered.conf"), ConfigLoader.render(HostConfig.defaults()));
        assertEquals(HostConfig.defaults(), ConfigLoader.load(rendered, Map.of()));
    }

    @Test
    void valuesAndOverrides() throws Exception {
        Path file = Files.writeString(dir.resolve("a.conf"), """
                # a comment
                listen = chat=ws://0.0.0.0:8000, rooms=ws://127.0.0.1:8001
                limits.frame.max-bytes = 128KiB   # a trailing comment
                limits.handshake.timeout = 500ms
                limits.query.timeout = 2s
                plugins.watch = false
                """);
        HostConfig c = ConfigLoader.load(file, Map.of("io.threads", "3", "limits.query.timeout", "1m"));
        assertEquals(List.of(ListenerConfig.parse("chat=ws://0.0.0.0:8000"), ListenerConfig.parse("rooms=ws://127.0.0.1:8001")),
                c.listeners());
        assertEquals(128 * 1024, c.limits().maxFrameBytes());
        assertEquals(Duration.ofMillis(500), c.limits().handshakeTimeout());
        assertEquals(Duration.ofMinutes(1), c.limits().queryTimeout(), "the command line wins");
        assertEquals(3, c.ioThreads());
        assertFalse(c.watchPlugins());
    }

    @Test
    void heartbeatsTakeZeroToTurnThemOff() {
        HostConfig c = ConfigLoader.load(null, Map.of("clients.ping-interval", "0", "clients.idle-timeout", "90s"));
        assertEquals(Duration.ZERO, c.limits().pingInterval());
        assertEquals(Duration.ofSeconds(90), c.limits().idleTimeout());
        assertEquals(Duration.ofSeconds(25), HostConfig.defaults().limits().pingInterval());
        assertEquals(Duration.ofSeconds(60), HostConfig.defaults().limits().idleTimeout());
        assertTrue(message("clients.idle-timeout", "-1s").endsWith("expected a duration such as 500ms, 10s or 2m"));
        assertTrue(message("limits.query.timeout", "0").endsWith("expected a duration above zero"), "elsewhere 0 is refused");
    }

    @Test
    void appJarBoundsTakeSizesAndCounts() {
        HostConfig c = ConfigLoader.load(null, Map.of("limits.app-jar.max-bytes", "1GiB", "limits.app-jar.max-entry-bytes",
                "8MiB", "limits.app-jar.max-entries", "1000", "limits.app-jar.max-ratio", "500"));
        assertEquals(1024 * 1024 * 1024, c.limits().maxAppJarBytes());
        assertEquals(8 * 1024 * 1024, c.limits().maxAppJarEntryBytes());
        assertEquals(1000, c.limits().maxAppJarEntries());
        assertEquals(500, c.limits().maxAppJarRatio());
        Limits defaults = HostConfig.defaults().limits();
        assertEquals(List.of(512 * 1024 * 1024, 64 * 1024 * 1024, 65_536, 100), List.of(defaults.maxAppJarBytes(),
                defaults.maxAppJarEntryBytes(), defaults.maxAppJarEntries(), defaults.maxAppJarRatio()));
        assertTrue(message("limits.app-jar.max-ratio", "0").endsWith("expected a number from 1 to 2147483647"));
        assertTrue(message("limits.app-jar.max-entry-bytes", "3GiB").endsWith("expected a size above 0 and below 2GiB"));
    }

    @Test
    void anUnknownKeyNamesTheNearestOne() throws Exception {
        Path file = Files.writeString(dir.resolve("b.conf"), "\nlimits.frame.max-byte = 1\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file, Map.of()));
        assertEquals(file + " line 2: unknown key 'limits.frame.max-byte' (did you mean 'limits.frame.max-bytes'?)",
                e.getMessage());
        ConfigException cli = assertThrows(ConfigException.class, () -> ConfigLoader.load(null, Map.of("plugin.dir", "x")));
        assertEquals("option --set plugin.dir: unknown key 'plugin.dir' (did you mean 'plugins.dir'?)", cli.getMessage());
        ConfigException far = assertThrows(ConfigException.class, () -> ConfigLoader.load(null, Map.of("zzzzzzzz", "x")));
        assertTrue(far.getMessage().contains("see conf/gatewayworker.conf"), far.getMessage());
    }

    @Test
    void aBadValueSaysWhatWasExpected() {
        assertEquals("option --set limits.frame.max-bytes: limits.frame.max-bytes = 'lots' is not valid: expected a size such as 65536, 64KiB or 1MiB",
                message("limits.frame.max-bytes", "lots"));
        assertTrue(message("limits.query.timeout", "soon").endsWith("expected a duration such as 500ms, 10s or 2m"));
        assertTrue(message("plugins.watch", "maybe").endsWith("expected true or false"));
        assertTrue(message("io.threads", "-1").endsWith("expected a number from 0 to 1024"));
        assertTrue(message("listen", "http://x:1").contains("listener scheme: 'http' (expected: ws)"));
        assertTrue(message("gateway.address", "localhost:2300").contains("expected: an IPv4 address"));
        assertTrue(message("limits.link.credit-window", "8").endsWith("expected a number from 16 to 2147483647"));
    }

    @Test
    void aKeySetTwiceOrALineWithoutValueIsAnError() throws Exception {
        Path twice = Files.writeString(dir.resolve("c.conf"), "io.threads = 1\nio.threads = 2\n");
        assertEquals(twice + " line 2: 'io.threads' is set again (first on line 1)",
                assertThrows(ConfigException.class, () -> ConfigLoader.load(twice, Map.of())).getMessage());
        Path junk = Files.writeString(dir.resolve("d.conf"), "just words\n");
        assertEquals(junk + " line 1: 'just words' is not key = value",
                assertThrows(ConfigException.class, () -> ConfigLoader.load(junk, Map.of())).getMessage());
    }

    private static String message(String key, String value) {
        return assertThrows(ConfigException.class, () -> ConfigLoader.load(null, Map.of(key, value))).getMessage();
    }
}
