package io.gatewayworker.host.gateway;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HeapGuardTest {

    @Test
    void onlyTheOldGenerationSaysWhatTheServerHolds() {
        for (String young : new String[] {"G1 Eden Space", "G1 Survivor Space", "Eden Space", "Survivor Space",
            "PS Eden Space", "PS Survivor Space", "ZGC Young Generation"}) {
            assertTrue(HeapGuard.young(young), young);
        }
        for (String old : new String[] {"G1 Old Gen", "Tenured Gen", "PS Old Gen", "ZGC Old Generation", "Shenandoah"}) {
            assertFalse(HeapGuard.young(old), old);
        }
    }

    @Test
    void thresholdsMustBeOrdered() {
        assertThrows(IllegalArgumentException.class, () -> new HeapGuard(0.5, 0.6, b -> { }));
        assertThrows(IllegalArgumentException.class, () -> new HeapGuard(1.0, 0.6, b -> { }));
    }
}
