package io.gatewayworker.bench.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ProcStatTest {

    @Test
    void readsUserAndKernelTicksPastANameWithSpacesAndParentheses() {
        String stat = "4242 (gw-io-1 (x) 2) S 1 4242 4242 0 -1 4194560 1500 0 0 0 1234 567 0 0 20 0 30 0 100 "
                + "8000000000 50000 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";
        ProcStat.Cpu cpu = ProcStat.parseStat(stat, 0);
        assertEquals(1234, cpu.user());
        assertEquals(567, cpu.system());
        assertEquals("gw-io-1 (x) 2", ProcStat.commOf(stat));
    }

    @Test
    void cpuDeltaGivesCoresAndKernelShare() {
        long tck = ProcStat.clockTicks();
        ProcStat.Cpu a = new ProcStat.Cpu(0, 0, 0);
        ProcStat.Cpu b = new ProcStat.Cpu(tck, 3 * tck, 2_000_000_000L);
        ProcStat.CpuDelta d = b.since(a);
        assertEquals(4.0, d.total(), 1e-9);
        assertEquals(2.0, d.cores(), 1e-9);
        assertEquals(0.75, d.kernelShare(), 1e-9);
    }

    @Test
    void machineLine() {
        ProcStat.Machine a = ProcStat.parseMachine("cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 1 2 3\n");
        ProcStat.Machine b = ProcStat.parseMachine("cpu  200 0 100 900 50 0 50 0 0 0\n");
        assertEquals(1000, a.total());
        assertEquals(850, a.idle());
        assertEquals(100.0 / 300, b.idleShare(a), 1e-9);
        assertEquals(50.0 / 300, b.softirqShare(a), 1e-9);
    }

    @Test
    void readsThisProcess() throws Exception {
        long pid = ProcessHandle.current().pid();
        assertTrue(ProcStat.rss(pid) > 0);
        assertTrue(ProcStat.threads(pid).size() > 1);
        assertTrue(ProcStat.cpu(pid).user() >= 0);
        assertEquals("java", ProcStat.comm(pid));
    }
}
