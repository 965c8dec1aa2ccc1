package io.gatewayworker.host;

import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code gatewayworker start}: runs the host in the foreground until SIGTERM or SIGINT (Ctrl-C), then
 * stops gracefully and exits with status 0. A bad option exits with 2, a failed start with 1, each with
 * one line that says why.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        PrintStream err = System.err;
        CommandLine.Parsed parsed;
        try {
            parsed = CommandLine.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("gatewayworker: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (parsed.help()) {
            System.out.print(CommandLine.USAGE);
            return;
        }
        Logger log = LoggerFactory.getLogger(Main.class);
        Host host;
        try {
            host = Host.start(parsed.config());
        } catch (HostStartException e) {
            log.error("GatewayWorker did not start: {}", e.getMessage());
            System.exit(1);
            return;
        }
        CountDownLatch stop = new CountDownLatch(1);
        Signals.handle(stop::countDown, "TERM", "INT", "HUP");
        Runtime.getRuntime().addShutdownHook(new Thread(host::stop, "gw-shutdown"));
        log.info("GatewayWorker started; press Ctrl+C to stop");
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        host.stop();
        System.exit(0);
    }
}
