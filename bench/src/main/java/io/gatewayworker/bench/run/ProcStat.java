package io.gatewayworker.bench.run;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads what the kernel counts for a process in {@code /proc}: CPU time in user and kernel mode (fields
 * 14 and 15 of {@code /proc/PID/stat}, {@code utime} and {@code stime}), the same per thread under
 * {@code /proc/PID/task/}, resident memory ({@code VmRSS}, {@code VmHWM} of {@code /proc/PID/status}), and
 * the whole machine's CPU time ({@code /proc/stat}). Linux only. Stateless; any thread.
 */
public final class ProcStat {

    private static final Path PROC = Path.of("/proc");
    private static volatile long clockTicks;

    private ProcStat() {
    }

    /** CPU time of a process or thread, in clock ticks, taken at {@code nanos} ({@link System#nanoTime()}). */
    public record Cpu(long user, long system, long nanos) {

        /** The CPU used between {@code earlier} and this sample. */
        public CpuDelta since(Cpu earlier) {
            return new CpuDelta(ticksToSeconds(user - earlier.user), ticksToSeconds(system - earlier.system),
                    (nanos - earlier.nanos) / 1e9);
        }
    }

    /**
     * CPU used over a window.
     *
     * @param user seconds in user mode
     * @param system seconds in kernel mode
     * @param wall length of the window in seconds
     */
    public record CpuDelta(double user, double system, double wall) {

        public double total() {
            return user + system;
        }

        /** Average number of cores busy: 1.0 is one core all the time. */
        public double cores() {
            return wall <= 0 ? 0 : total() / wall;
        }

        /** Share of kernel time in the total, 0 to 1. */
        public double kernelShare() {
            return total() <= 0 ? 0 : system / total();
        }
    }

    /** Machine-wide CPU time in ticks: everything and idle (idle + iowait). */
    public record Machine(long total, long idle, long softirq) {

        /** Share of the time the machine's CPUs were idle since {@code earlier}, 0 to 1. */
        public double idleShare(Machine earlier) {
            long t = total - earlier.total;
            return t <= 0 ? 0 : (double) (idle - earlier.idle) / t;
        }

        /** Share of the time spent in soft interrupts since {@code earlier}, 0 to 1. */
        public double softirqShare(Machine earlier) {
            long t = total - earlier.total;
            return t <= 0 ? 0 : (double) (softirq - earlier.softirq) / t;
        }
    }

    /**
     * One thread's name (as the kernel keeps it: at most 15 characters), CPU time, and context switches
     * (voluntary: it blocked, for example in {@code epoll_wait} or on a lock; involuntary: it was
     * preempted).
     */
    public record ThreadCpu(String name, Cpu cpu, long switches) {
    }

    /** The CPU time of process {@code pid} (all its threads). */
    public static Cpu cpu(long pid) throws IOException {
        return parseStat(read(PROC.resolve(Long.toString(pid)).resolve("stat")), System.nanoTime());
    }

    /** The CPU time of each live thread of {@code pid}, by thread id. */
    public static Map<Long, ThreadCpu> threads(long pid) throws IOException {
        Map<Long, ThreadCpu> out = new HashMap<>();
        long now = System.nanoTime();
        Path tasks = PROC.resolve(Long.toString(pid)).resolve("task");
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(tasks)) {
            for (Path task : dir) {
                try {
                    String stat = read(task.resolve("stat"));
                    long switches = switches(read(task.resolve("status")));
                    out.put(Long.parseLong(task.getFileName().toString()),
                            new ThreadCpu(commOf(stat), parseStat(stat, now), switches));
                } catch (NoSuchFileException e) {
                    // The thread ended while we listed them.
                }
            }
        }
        return out;
    }

    /** Voluntary plus involuntary context switches in the contents of a {@code status} file. */
    static long switches(String status) {
        long n = 0;
        for (String line : status.split("\n")) {
            if (line.startsWith("voluntary_ctxt_switches:") || line.startsWith("nonvoluntary_ctxt_switches:")) {
                n += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            }
        }
        return n;
    }

    /** Resident set size of {@code pid} in bytes ({@code VmRSS}). */
    public static long rss(long pid) throws IOException {
        return statusKb(pid, "VmRSS:") * 1024;
    }

    /** Anonymous resident memory of {@code pid} in bytes ({@code RssAnon}: heap, stacks, malloc; not files). */
    public static long rssAnon(long pid) throws IOException {
        return statusKb(pid, "RssAnon:") * 1024;
    }

    /** Peak resident set size of {@code pid} in bytes ({@code VmHWM}). */
    public static long peakRss(long pid) throws IOException {
        return statusKb(pid, "VmHWM:") * 1024;
    }

    /** The machine's CPU counters (first line of {@code /proc/stat}). */
    public static Machine machine() throws IOException {
        return parseMachine(read(PROC.resolve("stat")));
    }

    /** The executable name of {@code pid} ({@code /proc/PID/comm}), or "" when it is gone. */
    public static String comm(long pid) {
        try {
            return read(PROC.resolve(Long.toString(pid)).resolve("comm")).trim();
        } catch (IOException e) {
            return "";
        }
    }

    /** Parses the contents of a {@code stat} file; the name in parentheses may contain spaces. */
    static Cpu parseStat(String stat, long nanos) {
        String[] f = afterComm(stat);
        // f[0] is field 3 (state); utime is field 14, stime field 15.
        return new Cpu(Long.parseLong(f[11]), Long.parseLong(f[12]), nanos);
    }

    static String commOf(String stat) {
        int open = stat.indexOf('(');
        int close = stat.lastIndexOf(')');
        return open < 0 || close < open ? "?" : stat.substring(open + 1, close);
    }

    static Machine parseMachine(String procStat) {
        String first = procStat.substring(0, procStat.indexOf('\n') < 0 ? procStat.length() : procStat.indexOf('\n'));
        String[] f = first.trim().split("\\s+");
        if (!f[0].equals("cpu")) {
            throw new IllegalStateException("/proc/stat does not start with the cpu line: " + first);
        }
        long total = 0;
        // user nice system idle iowait irq softirq steal (guest time is already in user).
        for (int i = 1; i <= Math.min(8, f.length - 1); i++) {
            total += Long.parseLong(f[i]);
        }
        long idle = Long.parseLong(f[4]) + (f.length > 5 ? Long.parseLong(f[5]) : 0);
        long softirq = f.length > 7 ? Long.parseLong(f[7]) : 0;
        return new Machine(total, idle, softirq);
    }

    private static String[] afterComm(String stat) {
        int close = stat.lastIndexOf(')');
        return stat.substring(close + 2).trim().split(" ");
    }

    private static long statusKb(long pid, String key) throws IOException {
        for (String line : read(PROC.resolve(Long.toString(pid)).resolve("status")).split("\n")) {
            if (line.startsWith(key)) {
                return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
            }
        }
        throw new IOException("no " + key + " in /proc/" + pid + "/status");
    }

    private static String read(Path p) throws IOException {
        return new String(Files.readAllBytes(p), StandardCharsets.US_ASCII);
    }

    static double ticksToSeconds(long ticks) {
        return (double) ticks / clockTicks();
    }

    /** Clock ticks per second ({@code getconf CLK_TCK}; 100 on Linux unless it fails to run). */
    static long clockTicks() {
        long t = clockTicks;
        if (t == 0) {
            t = 100;
            try {
                Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
                if (p.waitFor() == 0) {
                    t = Long.parseLong(out);
                }
            } catch (IOException | NumberFormatException e) {
                // keep 100
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            clockTicks = t;
        }
        return t;
    }
}
