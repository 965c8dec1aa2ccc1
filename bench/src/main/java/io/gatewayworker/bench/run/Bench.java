package io.gatewayworker.bench.run;

import io.gatewayworker.bench.Options;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code bin/bench SCENARIO [options]}: runs one scenario against the host and against the ceiling, one
 * after the other, each on a fresh server on a free loopback port, and prints the table and the JSON
 * line ({@link Report}). Progress goes to standard error, the report to standard output.
 *
 * <p>Exit status: 0 when the scenario ran (whether or not the targets were met), 2 for a bad option, 1
 * when something failed (a server that did not start, a load process that died). Every process it
 * started is stopped by PID before it exits, also when it is interrupted (a shutdown hook).
 *
 * <p>Threads: {@code main} runs the scenario; one reader thread per load process; the shutdown hook.
 */
public final class Bench {

    private Bench() {
    }

    public static void main(String[] args) {
        Settings s;
        Scenario scenario;
        try {
            Options o = new Options(args, Settings.flags());
            if (o.flag("--help") || args.length == 0) {
                System.out.print(Settings.USAGE);
                return;
            }
            Path root = Path.of(o.string("--root", ".")).toAbsolutePath().normalize();
            s = new Settings(o, root, System.getProperty("java.class.path"));
            scenario = Scenario.of(s);
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            System.exit(2);
            return;
        }
        Cleanup cleanup = new Cleanup();
        Thread hook = new Thread(cleanup::stopAll, "bench-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        int status = 0;
        Path work = null;
        try {
            work = Files.createTempDirectory("gw-bench-");
            Path folder = work;
            if (!s.keep) {
                // Also when the runner is stopped by a signal; a failed run keeps it (see below).
                cleanup.finallyDo(() -> deleteTree(folder));
            }
            Scenario.progress(scenario.describe() + " (work folder " + work + ")");
            Map<String, Figures> results = new LinkedHashMap<>();
            for (String target : s.targets()) {
                Scenario.progress("starting the " + target);
                Figures f;
                int exit;
                Run run = Run.start(s, target, work, cleanup);
                try {
                    f = scenario.run(run);
                    Scenario.progress("stopping the " + target + " (SIGTERM to PID " + run.serverPid() + ")");
                } finally {
                    run.close();
                }
                exit = run.serverExit();
                f.put("serverExit", exit);
                int expected = target.equals("host") ? 0 : 143;
                if (exit != expected) {
                    f.note("the server exited with status " + exit + " (expected " + expected + " after SIGTERM)");
                }
                if (f.profile != null) {
                    f.note("JFR recording of the measured window: " + f.profile);
                }
                results.put(target, f);
            }
            Report.print(System.out, scenario, s, results, s.threads ? Integer.MAX_VALUE : 6);
        } catch (Exception e) {
            System.err.println("bench: " + e.getMessage());
            if (!(e instanceof IOException || e instanceof IllegalStateException)) {
                e.printStackTrace();
            }
            status = 1;
        } finally {
            if (status != 0) {
                cleanup.finallyDo(null);
            }
            cleanup.stopAll();
            if (work != null && (s.keep || status != 0)) {
                System.err.println("bench: logs and data are in " + work);
            }
        }
        Runtime.getRuntime().removeShutdownHook(hook);
        System.exit(status);
    }

    private static void deleteTree(Path dir) {
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    Files.delete(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            System.err.println("bench: could not delete " + dir + ": " + e.getMessage());
        }
    }
}
