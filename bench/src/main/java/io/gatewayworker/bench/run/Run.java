package io.gatewayworker.bench.run;

import io.gatewayworker.bench.ceiling.CeilingServer;
import io.gatewayworker.bench.load.LoadGenerator;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One scenario against one server: starts the server (the host through {@code bin/gatewayworker start}
 * with the bench app in its own plugins folder, or the ceiling), starts the load processes, sends them
 * commands, samples CPU and memory from {@code /proc}, and stops everything by PID when closed.
 *
 * <p>Used by the scenario thread; every process it starts is also in the {@link Cleanup} registry, which
 * a shutdown hook empties if the runner is interrupted.
 */
final class Run implements AutoCloseable {

    private final Settings s;
    private final String target;
    private final Path dir;
    private final Cleanup cleanup;
    private final ServerProcess server;
    private final List<LoadProcess> loads = new ArrayList<>();
    private final Path pluginsDir;
    private int serverExit = Integer.MIN_VALUE;

    /**
     * CPU, memory and time at one instant.
     *
     * @param server the server's CPU
     * @param threads the server's CPU per thread
     * @param loads each load process's CPU
     * @param machine the machine's CPU counters
     * @param rss the server's resident memory in bytes
     */
    /**
     * @param loops the CPU of the load processes' event-loop threads ({@code load-io-*}) together: what
     *        says whether the load generator, not the server, set the pace
     */
    record Sample(ProcStat.Cpu server, Map<Long, ProcStat.ThreadCpu> threads, List<ProcStat.Cpu> loads,
            ProcStat.Cpu loops, ProcStat.Machine machine, long rss, long nanos) {
    }

    private Run(Settings s, String target, Path dir, Cleanup cleanup, ServerProcess server, Path pluginsDir) {
        this.s = s;
        this.target = target;
        this.dir = dir;
        this.cleanup = cleanup;
        this.server = server;
        this.pluginsDir = pluginsDir;
    }

    /** Starts {@code target} ("host" or "ceiling") on a free loopback port and waits until it listens. */
    static Run start(Settings s, String target, Path work, Cleanup cleanup) throws IOException, InterruptedException {
        Path dir = Files.createDirectories(work.resolve(target));
        int port = freePort();
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        List<String> javaOpts = new ArrayList<>(s.serverJavaOpts);
        ServerProcess server;
        Path plugins = null;
        Path log = dir.resolve("server.log");
        if (target.equals("host")) {
            plugins = Files.createDirectories(dir.resolve("plugins"));
            Files.copy(BenchApp.jar(s.root), plugins.resolve(BenchApp.INSTALLED_NAME), StandardCopyOption.REPLACE_EXISTING);
            List<String> command = List.of(s.root.resolve("bin/gatewayworker").toString(), "start",
                    "--listen", "ws://127.0.0.1:" + port, "--plugins", plugins.toString(),
                    "--data", dir.resolve("data").toString(), "--io-threads", Integer.toString(s.ioThreads));
            Map<String, String> env = new HashMap<>();
            env.put("GATEWAYWORKER_JAVA_OPTS", String.join(" ", javaOpts));
            env.put("JAVA_HOME", System.getProperty("java.home"));
            server = ServerProcess.start("host", command, env, s.root, log, address);
        } else {
            List<String> command = new ArrayList<>();
            command.add(javaBinary());
            command.add("--enable-native-access=ALL-UNNAMED");
            command.addAll(javaOpts);
            command.addAll(List.of("-cp", s.classpath, CeilingServer.class.getName(), "--port", Integer.toString(port),
                    "--io-threads", Integer.toString(s.ioThreads), "--transport", s.transport,
                    "--batch-broadcasts", s.ceilingBatching));
            server = ServerProcess.start("ceiling", command, Map.of(), dir, log, address);
        }
        cleanup.add(server);
        try {
            server.awaitReady(target.equals("host") ? 600 : 60);
            Thread.sleep(1000);
        } catch (IOException | InterruptedException | RuntimeException e) {
            server.stop();
            throw e;
        }
        return new Run(s, target, dir, cleanup, server, plugins);
    }

    String target() {
        return target;
    }

    long serverPid() {
        return server.pid();
    }

    ServerProcess server() {
        return server;
    }

    /** The host's plugins folder; null for the ceiling. */
    Path pluginsDir() {
        return pluginsDir;
    }

    int loadProcesses() {
        return loads.size();
    }

    /**
     * Starts enough load processes in {@code mode} for {@code connections} connections (at least
     * {@code --load-processes}, at most {@code --per-process} connections each), without connecting.
     */
    void startLoads(String mode, int connections) throws IOException {
        int n = Math.max(s.loadProcesses, (connections + s.perProcess - 1) / s.perProcess);
        for (int i = 0; i < n; i++) {
            List<String> command = new ArrayList<>(List.of(javaBinary(), "--enable-native-access=ALL-UNNAMED",
                    "-XX:+UseParallelGC", "-Xms256m", "-Xmx2g", "-Dio.netty.leakDetection.level=disabled",
                    "-cp", s.classpath, LoadGenerator.class.getName(),
                    "--mode", mode, "--port", Integer.toString(server.address().getPort()),
                    "--source-addresses", s.sourceAddresses, "--source-offset", Integer.toString(i),
                    "--threads", Integer.toString(s.loadThreads), "--size", Integer.toString(s.size),
                    "--window", Integer.toString(s.window), "--reply-timeout", Double.toString(s.replyTimeout),
                    "--transport", s.transport));
            LoadProcess p = LoadProcess.start(i, command, dir.resolve("load-" + i + ".log"));
            cleanup.add(p);
            loads.add(p);
        }
    }

    /**
     * Opens {@code count} more connections, spread evenly over the load processes. Returns the number
     * that opened; failures are noted in {@code f}.
     */
    int connect(int count, Figures f) throws InterruptedException {
        int n = loads.size();
        for (int i = 0; i < n; i++) {
            int share = count / n + (i < count % n ? 1 : 0);
            loads.get(i).send("connect " + share);
        }
        int opened = 0;
        int failed = 0;
        String error = null;
        for (LoadProcess p : loads) {
            Map<String, String> r = p.await("@connected", 120 + count / 50);
            opened += Integer.parseInt(r.get("opened"));
            failed += Integer.parseInt(r.get("failed"));
            if (error == null) {
                error = r.get("error");
            }
        }
        if (failed > 0) {
            f.note(failed + " of " + count + " connections failed; the first error: " + error);
        }
        return opened;
    }

    /** Sends {@code command} to every load process, then awaits {@code answer} from each. */
    List<Map<String, String>> all(String command, String answer, long timeoutSeconds) throws InterruptedException {
        for (LoadProcess p : loads) {
            p.send(command);
        }
        List<Map<String, String>> out = new ArrayList<>();
        for (LoadProcess p : loads) {
            out.add(p.await(answer, timeoutSeconds));
        }
        return out;
    }

    /** Sends {@code command} to every load process without waiting. */
    void sendAll(String command) {
        for (LoadProcess p : loads) {
            p.send(command);
        }
    }

    /** Awaits {@code answer} from every load process. */
    List<Map<String, String>> awaitAll(String answer, long timeoutSeconds) throws InterruptedException {
        List<Map<String, String>> out = new ArrayList<>();
        for (LoadProcess p : loads) {
            out.add(p.await(answer, timeoutSeconds));
        }
        return out;
    }

    Sample sample() throws IOException {
        long pid = server.pid();
        ProcStat.Machine machine = ProcStat.machine();
        ProcStat.Cpu cpu = ProcStat.cpu(pid);
        List<ProcStat.Cpu> loadCpu = new ArrayList<>();
        long loopUser = 0;
        long loopSystem = 0;
        for (LoadProcess p : loads) {
            loadCpu.add(ProcStat.cpu(p.pid()));
            for (ProcStat.ThreadCpu t : ProcStat.threads(p.pid()).values()) {
                if (t.name().startsWith("load-io")) {
                    loopUser += t.cpu().user();
                    loopSystem += t.cpu().system();
                }
            }
        }
        Map<Long, ProcStat.ThreadCpu> threads = ProcStat.threads(pid);
        ProcStat.Cpu loops = new ProcStat.Cpu(loopUser, loopSystem, System.nanoTime());
        return new Sample(cpu, threads, loadCpu, loops, machine, ProcStat.rss(pid), System.nanoTime());
    }

    /**
     * Puts the CPU figures of the window from {@code a} to {@code b} into {@code f}: the server's CPU
     * per operation, split into user and kernel time, the cores it kept busy, the load generator's cores,
     * and how idle the machine was.
     */
    void cpuFigures(Figures f, Sample a, Sample b, double ops) {
        ProcStat.CpuDelta server = b.server().since(a.server());
        double perOp = ops > 0 ? 1e6 / ops : Double.NaN;
        f.put("serverCpuPerOpUs", server.total() * perOp);
        f.put("serverUserPerOpUs", server.user() * perOp);
        f.put("serverKernelPerOpUs", server.system() * perOp);
        f.put("serverKernelShare", server.kernelShare() * 100);
        f.put("serverCores", server.cores());
        double loadUser = 0;
        double loadSystem = 0;
        for (int i = 0; i < b.loads().size() && i < a.loads().size(); i++) {
            ProcStat.CpuDelta d = b.loads().get(i).since(a.loads().get(i));
            loadUser += d.user();
            loadSystem += d.system();
        }
        double wall = server.wall();
        double loadCores = wall > 0 ? (loadUser + loadSystem) / wall : 0;
        int cpus = Runtime.getRuntime().availableProcessors();
        f.put("loadCores", loadCores);
        f.put("loadCpuPerOpUs", (loadUser + loadSystem) * perOp);
        double idle = b.machine().idleShare(a.machine()) * 100;
        double softirqCores = b.machine().softirqShare(a.machine()) * cpus;
        // What kept the CPUs busy besides the server and the load generator: soft interrupts (loopback
        // TCP processed outside the processes' own time), kernel threads, and any other process.
        double otherCores = Math.max(0, (1 - idle / 100) * cpus - server.cores() - loadCores - softirqCores);
        f.put("machineIdle", idle);
        f.put("softirqCores", softirqCores);
        f.put("otherCores", otherCores);
        f.put("serverRssMb", b.rss() / 1048576.0);
        int loadThreadsTotal = s.loadThreads * Math.max(1, loads.size());
        // Client-bound when the load's event-loop threads, not the process (GC and JIT threads count there
        // too), were busy nearly all the time.
        double loopCores = b.loops().since(a.loops()).cores();
        f.put("loadLoopCores", loopCores);
        if (loopCores >= 0.9 * Math.min(loadThreadsTotal, cpus)) {
            f.note(String.format("client-bound: the load generator's %d event loop thread(s) kept %.2f core(s) busy;"
                    + " the rate says more about it than about the server; compare CPU per operation",
                    loadThreadsTotal, loopCores));
        }
        if (otherCores > 0.15) {
            f.note(String.format("disturbed: other processes kept %.2f core(s) busy during the window; run again on a"
                    + " quiet machine", otherCores));
        }
        if (idle < 5) {
            f.note(String.format("machine-bound: the CPUs were %.1f %% idle; the rate is capped by the %d cores that"
                    + " server and load generator share; compare CPU per operation", idle,
                    Runtime.getRuntime().availableProcessors()));
        }
        threadFigures(f, a, b);
        double switches = f.threads.values().stream().mapToDouble(v -> v[3]).sum();
        f.put("serverSwitchesPerOp", ops > 0 ? switches / ops : Double.NaN);
    }

    /** The server's CPU over the window by thread group (digits in thread names folded to #). */
    private static void threadFigures(Figures f, Sample a, Sample b) {
        Map<String, double[]> groups = new HashMap<>();
        for (Map.Entry<Long, ProcStat.ThreadCpu> e : b.threads().entrySet()) {
            ProcStat.ThreadCpu now = e.getValue();
            ProcStat.ThreadCpu before = a.threads().get(e.getKey());
            ProcStat.Cpu start = before != null ? before.cpu() : new ProcStat.Cpu(0, 0, 0);
            ProcStat.CpuDelta d = now.cpu().since(start);
            long switches = now.switches() - (before != null ? before.switches() : 0);
            if (d.total() <= 0 && switches <= 0) {
                continue;
            }
            String group = now.name().replaceAll("[0-9]+", "#");
            double[] sums = groups.computeIfAbsent(group, k -> new double[4]);
            sums[0] += d.user();
            sums[1] += d.system();
            sums[2]++;
            sums[3] += switches;
        }
        groups.entrySet().stream()
                .sorted(Comparator.comparingDouble((Map.Entry<String, double[]> e) -> e.getValue()[0] + e.getValue()[1]).reversed())
                .forEach(e -> f.threads.put(e.getKey(), e.getValue()));
    }

    /** With {@code --jfr}: starts recording the server (just before the measured window). */
    void profileStart() throws IOException, InterruptedException {
        if (s.jfrDir != null) {
            Jfr.start(server.pid());
        }
    }

    /** With {@code --jfr}: stops the recording into the JFR folder and returns its file; otherwise null. */
    Path profileStop() throws IOException, InterruptedException {
        if (s.jfrDir == null) {
            return null;
        }
        Files.createDirectories(s.jfrDir);
        Path file = s.jfrDir.resolve(target + "-" + s.scenario + ".jfr");
        Jfr.stop(server.pid(), file);
        return file;
    }

    /** Tells every load process to exit and stops the server; returns the server's exit status. */
    @Override
    public void close() {
        for (LoadProcess p : loads) {
            p.close();
            cleanup.remove(p);
        }
        loads.clear();
        if (serverExit == Integer.MIN_VALUE) {
            serverExit = server.stop();
            cleanup.remove(server);
        }
    }

    /** The server's exit status once {@link #close()} ran. */
    int serverExit() {
        return serverExit;
    }

    static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** A port free on 127.0.0.1 right now. */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Figures of a merged histogram, in milliseconds. */
    static Map<String, Double> percentiles(org.HdrHistogram.Histogram h) {
        Map<String, Double> out = new LinkedHashMap<>();
        if (h.getTotalCount() == 0) {
            out.put("p50", Double.NaN);
            out.put("p99", Double.NaN);
            out.put("p999", Double.NaN);
            out.put("max", Double.NaN);
            return out;
        }
        out.put("p50", h.getValueAtPercentile(50) / 1e6);
        out.put("p99", h.getValueAtPercentile(99) / 1e6);
        out.put("p999", h.getValueAtPercentile(99.9) / 1e6);
        out.put("max", h.getMaxValue() / 1e6);
        return out;
    }
}
