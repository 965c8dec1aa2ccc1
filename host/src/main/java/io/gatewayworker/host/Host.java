package io.gatewayworker.host;

import io.gatewayworker.host.app.AppRuntime;
import io.gatewayworker.host.config.HostConfig;
import io.gatewayworker.host.config.ListenerConfig;
import io.gatewayworker.host.gateway.GatewayServer;
import io.gatewayworker.host.register.RegisterServer;
import io.gatewayworker.host.transport.EventLoops;
import io.gatewayworker.host.transport.Transport;
import io.gatewayworker.host.worker.BusinessWorker;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One JVM running the Register, Gateway and BusinessWorker roles together (the embedded mode), linked
 * over Netty's in-JVM transport with the same messages and handlers as between machines.
 *
 * <p><b>Start</b> ({@link #start(HostConfig)}): register, then gateway (internal endpoint), then worker
 * (apps loaded, linked to the gateway), then the gateway's public listeners: once it returns, clients
 * are served.
 *
 * <p><b>Stop</b> ({@link #stop()}), the reverse: stop accepting; close every client with 1001 (going
 * away), each accepted client's app getting {@code onClose}; wait until the worker has handled every
 * event; {@code onWorkerStop} and unload; close the links and the threads. Idempotent; thread-safe.
 */
public final class Host implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Host.class);
    private static final AtomicInteger INSTANCES = new AtomicInteger();
    /** Longest wait for each stop step. */
    static final Duration STOP_STEP_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final HostConfig config;
    private final EventLoops loops;
    private final RegisterServer register;
    private final GatewayServer gateway;
    private final BusinessWorker worker;
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final java.time.Instant startedAt = java.time.Instant.now();
    private volatile List<InetSocketAddress> listenerAddresses = List.of();

    private Host(HostConfig config) {
        this.config = config;
        String namespace = "host-" + INSTANCES.incrementAndGet() + "-" + ProcessHandle.current().pid();
        Transport transport = Transport.LOCAL;
        this.loops = EventLoops.create(config.ioThreads());
        SocketAddress registerAt = config.registerAddress().socketAddress(transport, namespace, "register");
        this.register = new RegisterServer(loops, transport, registerAt);
        this.gateway = new GatewayServer(loops, transport, namespace, config.gatewayAddress(), registerAt,
                config.listeners(), config.limits());
        this.worker = new BusinessWorker(loops, transport, namespace, registerAt, config.workerName(),
                config.pluginsDir(), config.dataDir(), config.limits());
    }

    /**
     * Starts all roles.
     *
     * @throws HostStartException with a one-line reason when a step fails (a port in use, say); whatever
     *         was started is stopped again
     */
    public static Host start(HostConfig config) {
        Host host = new Host(config);
        try {
            await(host.register.start(), "start the register");
            await(host.gateway.start(), "start the gateway");
            await(host.worker.start(config.watchPlugins()), "start the worker and link it to the gateway");
            host.listenerAddresses = await(host.gateway.startListeners(), "open the listeners");
        } catch (HostStartException e) {
            host.stopNow();
            throw e;
        }
        host.reportApps();
        return host;
    }

    private static <T> T await(Future<T> step, String what) {
        try {
            return step.get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException | CompletionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new HostStartException("could not " + what + ": " + cause.getMessage(), cause);
        } catch (TimeoutException e) {
            throw new HostStartException("could not " + what + " within " + START_TIMEOUT.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HostStartException("interrupted while trying to " + what, e);
        }
    }

    private void reportApps() {
        Collection<AppRuntime> apps = worker.apps().running();
        if (apps.isEmpty()) {
            log.warn("No app is running: put an app jar into {} (bin/gatewayworker start does it for the chat example)",
                    config.pluginsDir().toAbsolutePath());
            return;
        }
        for (AppRuntime app : apps) {
            boolean hasListener = config.listeners().stream().anyMatch(l -> app.id().equals(appOf(l, apps)));
            if (!hasListener) {
                log.warn("App {} {} is running but has no listener: its clients cannot connect", app.id(), app.version());
            }
        }
    }

    private static String appOf(ListenerConfig listener, Collection<AppRuntime> apps) {
        if (listener.app() != null) {
            return listener.app();
        }
        return apps.size() == 1 ? apps.iterator().next().id() : ListenerConfig.DEFAULT_APP;
    }

    /** The bound address of each public listener, in configuration order. */
    public List<InetSocketAddress> listenerAddresses() {
        return listenerAddresses;
    }

    /** The first listener's bound address. */
    public InetSocketAddress address() {
        return listenerAddresses.get(0);
    }

    public HostConfig config() {
        return config;
    }

    public GatewayServer gateway() {
        return gateway;
    }

    public BusinessWorker worker() {
        return worker;
    }

    public RegisterServer register() {
        return register;
    }

    /** The network threads (for the control endpoint). */
    public EventLoops loops() {
        return loops;
    }

    /** Stops gracefully: see the class documentation. Returns when everything is stopped. */
    public void stop() {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        long start = System.nanoTime();
        int clients = gateway.clientCount();
        log.info("Stopping: closing {} client(s) with 1001 (going away)", clients);
        gateway.stopAccepting();
        step("close the clients", () -> gateway.closeClients(1001, "server stopping")
                .get(STOP_STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        step("let the worker finish its events", () -> gateway.drainWorkers(STOP_STEP_TIMEOUT)
                .get(STOP_STEP_TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS));
        closeRoles();
        log.info("Stopped in {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    /**
     * Stops accepting new clients, waits until the connected ones have left, at most {@code timeout},
     * then {@link #stop()}s. Returns when stopped.
     */
    public void stopGracefully(Duration timeout) {
        gateway.stopAccepting();
        long deadline = System.nanoTime() + timeout.toNanos();
        int clients = gateway.clientCount();
        log.info("Stopping gracefully: no new clients; waiting up to {} s for {} client(s) to leave", timeout.toSeconds(), clients);
        while (gateway.clientCount() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (gateway.clientCount() > 0) {
            log.info("{} client(s) still connected after {} s; closing them", gateway.clientCount(), timeout.toSeconds());
        }
        stop();
    }

    /** When the host started. */
    public java.time.Instant startedAt() {
        return startedAt;
    }

    /** The version of this GatewayWorker build. */
    public static String version() {
        String v = Host.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    @Override
    public void close() {
        stop();
    }

    /** After a failed start: close what runs, without the graceful steps. */
    private void stopNow() {
        if (stopped.compareAndSet(false, true)) {
            closeRoles();
        }
    }

    private void closeRoles() {
        List<Runnable> closers = new ArrayList<>();
        closers.add(worker::close);
        closers.add(gateway::close);
        closers.add(register::close);
        closers.add(loops::close);
        for (Runnable closer : closers) {
            try {
                closer.run();
            } catch (RuntimeException e) {
                log.warn("Error while stopping", e);
            }
        }
    }

    private interface Step {
        void run() throws Exception;
    }

    private static void step(String what, Step step) {
        try {
            step.run();
        } catch (TimeoutException e) {
            log.warn("Could not {} within {} s; going on", what, STOP_STEP_TIMEOUT.toSeconds());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn("Could not {}: {}", what, e.toString());
        }
    }
}
