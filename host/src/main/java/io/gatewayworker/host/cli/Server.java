package io.gatewayworker.host.cli;

import io.gatewayworker.host.Host;
import io.gatewayworker.host.config.HostConfig;
import io.gatewayworker.host.control.AdminCommands;
import io.gatewayworker.host.control.ControlServer;
import io.gatewayworker.host.shell.Shell;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A started instance, owned by {@code start}: the host, its control endpoint, and either the shell (in
 * the foreground, on a terminal) or a wait. It stops on {@code stop} (shell or control endpoint),
 * Ctrl-D in the shell, SIGTERM, SIGINT or SIGHUP, and then exits with status 0.
 *
 * <p>Runs on the main thread; stop requests come from any thread.
 */
final class Server {

    private static final Logger log = LoggerFactory.getLogger(Server.class);

    private record StopMode(boolean graceful, Duration timeout) {
    }

    private final HostConfig config;
    private final boolean daemon;
    private final boolean shell;
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final AtomicReference<StopMode> mode = new AtomicReference<>();
    private volatile Shell running;

    Server(HostConfig config, boolean daemon, boolean shell) {
        this.config = config;
        this.daemon = daemon;
        this.shell = shell;
    }

    /** Starts, serves until asked to stop, stops. Returns the exit status. */
    int run() {
        Host host = Host.start(config);
        AdminCommands admin = new AdminCommands(host, this::requestStop);
        ControlServer control = new ControlServer(admin, config.dataDir());
        try {
            control.start(host.loops(), config.controlPort());
        } catch (IOException e) {
            log.error("GatewayWorker did not start: {}", e.getMessage());
            admin.close();
            host.stop();
            return Cli.FAILED;
        }
        Signals.handle(() -> requestStop(false, Duration.ZERO), "TERM", "INT", "HUP");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            host.stop();
            control.close();
        }, "gw-shutdown"));
        log.info("GatewayWorker {} started{}", Host.version(), daemon ? " as a daemon (pid " + ProcessHandle.current().pid() + ")"
                : shell ? "" : "; press Ctrl+C to stop");
        if (shell) {
            serveWithShell(admin);
        } else {
            awaitStop();
        }
        StopMode how = mode.get() == null ? new StopMode(false, Duration.ZERO) : mode.get();
        if (how.graceful()) {
            host.stopGracefully(how.timeout());
        } else {
            host.stop();
        }
        control.close();
        admin.close();
        return Cli.OK;
    }

    private void serveWithShell(AdminCommands admin) {
        try (Shell s = Shell.onSystemTerminal(admin, config.dataDir().resolve("history"))) {
            running = s;
            if (s.run() && mode.get() == null) {
                requestStop(false, Duration.ZERO); // Ctrl-D
            }
        } catch (IOException e) {
            log.warn("No interactive shell ({}); serving without it", e.getMessage());
            awaitStop();
        } finally {
            running = null;
        }
    }

    private void awaitStop() {
        try {
            stopRequested.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Any thread: the first request decides how to stop. */
    void requestStop(boolean graceful, Duration timeout) {
        if (mode.compareAndSet(null, new StopMode(graceful, timeout))) {
            stopRequested.countDown();
            Shell s = running;
            if (s != null) {
                s.finish();
                s.interrupt();
            }
        }
    }
}
