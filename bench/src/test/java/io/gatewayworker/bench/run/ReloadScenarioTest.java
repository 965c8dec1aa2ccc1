package io.gatewayworker.bench.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The host log lines the reload scenario reads (AppManager's wording). */
class ReloadScenarioTest {

    @TempDir
    Path dir;

    private ReloadScenario.Seen scan(String log, String version) throws Exception {
        Path file = dir.resolve("server.log");
        Files.writeString(file, log);
        return ReloadScenario.awaitStarted(file, 0, version, System.nanoTime() + 200_000_000L);
    }

    @Test
    void aReloadLineGivesTheHostsReloadAndPauseTimes() throws Exception {
        ReloadScenario.Seen seen = scan("""
                2026-11-25 14:41:36.781 [gw-apps] [INFO] AppManager - App bench 0.1.0-SNAPSHOT started (from bench.jar)
                2026-11-25 14:41:45.381 [gw-apps] [INFO] AppManager - App bench reloaded: 0.1.0-SNAPSHOT -> \
                0.1.0-SNAPSHOT-reload in 23 ms; dispatch paused 4 ms (from bench.jar)
                """, "0.1.0-SNAPSHOT-reload");
        assertTrue(seen.atNanos() > 0);
        assertEquals(23, seen.reloadMillis());
        assertEquals(4, seen.pausedMillis());
        assertNull(seen.refusal());
    }

    @Test
    void aFirstStartCountsToo() throws Exception {
        ReloadScenario.Seen seen = scan("[gw-apps] [INFO] AppManager - App bench 2.0 started (from bench.jar)\n", "2.0");
        assertTrue(seen.atNanos() > 0);
        assertEquals(-1, seen.pausedMillis());
    }

    @Test
    void aRefusalIsReportedAndNoReloadSeen() throws Exception {
        ReloadScenario.Seen seen = scan("[gw-apps] [ERROR] AppManager - Reload of bench refused, bench 1.0 keeps serving:"
                + " onWorkerStart threw\n", "2.0");
        assertEquals(0, seen.atNanos());
        assertEquals("Reload of bench refused, bench 1.0 keeps serving: onWorkerStart threw", seen.refusal());
    }

    @Test
    void anotherVersionIsNotTheOneAwaited() throws Exception {
        assertEquals(0, scan("App bench reloaded: 1 -> 3 in 5 ms; dispatch paused 1 ms\n", "2").atNanos());
    }
}
