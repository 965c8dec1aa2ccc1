package io.gatewayworker.bench.run;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Records a server with JFR over exactly the measured window: {@code jcmd PID JFR.start} just before
 * it, {@code JFR.stop} just after. It asks for the {@code profile} settings plus JDK 25's CPU-time
 * sampler ({@code jdk.CPUTimeSample}), and without the latter when the JVM does not know it (JDK 21).
 * Attaching costs the server a little CPU: profiled runs are for finding where time goes, not for the
 * figures. Stateless.
 */
final class Jfr {

    private static final String NAME = "bench";

    private Jfr() {
    }

    static void start(long pid) throws IOException, InterruptedException {
        String out = jcmd(pid, "JFR.start", "name=" + NAME, "settings=profile", "jdk.CPUTimeSample#enabled=true",
                "jdk.CPUTimeSample#throttle=1ms");
        if (!out.contains("Started recording")) {
            out = jcmd(pid, "JFR.start", "name=" + NAME, "settings=profile");
            if (!out.contains("Started recording")) {
                throw new IOException("jcmd " + pid + " JFR.start failed: " + out.strip());
            }
        }
    }

    static void stop(long pid, Path file) throws IOException, InterruptedException {
        String out = jcmd(pid, "JFR.stop", "name=" + NAME, "filename=" + file);
        if (!out.contains("Stopped recording")) {
            throw new IOException("jcmd " + pid + " JFR.stop failed: " + out.strip());
        }
    }

    private static String jcmd(long pid, String... command) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>();
        args.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
        args.add(Long.toString(pid));
        args.addAll(List.of(command));
        Process p = new ProcessBuilder(args).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("jcmd " + String.join(" ", command) + " did not finish within 60 s");
        }
        return new String(out, StandardCharsets.UTF_8);
    }
}
