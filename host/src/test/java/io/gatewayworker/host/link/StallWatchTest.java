package io.gatewayworker.host.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class StallWatchTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void reportsWorkStuckWithTheSameProgressOnceAfterTheTimeout() {
        StallWatch<String> watch = new StallWatch<>(Duration.ofSeconds(5));
        for (long t = 0; t < 5; t++) {
            assertFalse(watch.observe("q", true, 7, t * SECOND), "not yet at " + t + " s");
            watch.endTick();
        }
        assertTrue(watch.observe("q", true, 7, 5 * SECOND), "stuck for 5 s");
        watch.endTick();
        assertFalse(watch.observe("q", true, 7, 6 * SECOND), "reported once per episode");
        watch.endTick();
        assertEquals(6000, watch.stuckMillis("q", 6 * SECOND));
    }

    @Test
    void slowProgressIsNotAStall() {
        StallWatch<String> watch = new StallWatch<>(Duration.ofSeconds(5));
        for (long t = 0; t < 60; t++) {
            assertFalse(watch.observe("q", true, t / 4, t * SECOND), "moved within the timeout");
            watch.endTick();
        }
    }

    @Test
    void recoveryEndsAnEpisodeAndALaterOneIsReportedAgain() {
        StallWatch<String> watch = new StallWatch<>(Duration.ofSeconds(2));
        watch.observe("q", true, 1, 0);
        assertTrue(watch.observe("q", true, 1, 2 * SECOND));
        assertFalse(watch.observe("q", false, 1, 3 * SECOND), "recovered");
        assertEquals(0, watch.suspects());
        watch.observe("q", true, 1, 4 * SECOND);
        assertTrue(watch.observe("q", true, 1, 6 * SECOND), "a new episode");
    }

    @Test
    void suspectsNotObservedInATickAreForgotten() {
        StallWatch<String> watch = new StallWatch<>(Duration.ofSeconds(2));
        watch.observe("gone", true, 1, 0);
        watch.endTick();
        watch.endTick();
        assertEquals(0, watch.suspects());
        assertFalse(watch.observe("gone", true, 1, 10 * SECOND), "starts over when seen again");
    }
}
