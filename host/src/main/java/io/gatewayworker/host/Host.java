package io.gatewayworker.host;

import io.gatewayworker.host.app.AppRuntime;
import io.gatewayworker.host.config.HostConfig;
import io.gatewayworker.host.config.HostRole;
import io.gatewayworker.host.config.ListenerConfig;
import io.gatewayworker.host.gateway.GatewayServer;
import io.gatewayworker.host.register.RegisterServer;
import io.gatewayworker.host.link.InternalNetwork;
import io.gatewayworker.host.link.RegisterLink;
import io.gatewayworker.proto.link.v1.ClusterView;
import io.gatewayworker.proto.link.v1.ReloadResult;
import io.gatewayworker.host.transport.EventLoops;
import io.gatewayworker.host.worker.BusinessWorker;
import java.net.InetAddress;
import java.net.InetSocketAddress;
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
 * One process running some of the roles: Register, Gateway, BusinessWorker. All three (the default) is the
 * embedded mode; any subset, in separate processes on one machine or many, forms a cluster. Roles of one
 * process link over Netty's in-JVM transport, roles of different processes over TCP, with the same
 * messages and handlers ({@link InternalNetwork}).
 *
 * <p><b>Start</b> ({@link #start(HostConfig)}): register, then gateway (internal endpoint, announced to
 * every register), then worker (apps loaded, subscribed to every register, linked to every gateway they
 * list), then the gateway's public listeners: once it returns, clients are served. A process with both
 * gateway and worker opens its listeners once its worker is linked.
 *
 * <p><b>Stop</b> ({@link #stop()}), the reverse: stop accepting; close every client with 1001 (going
 * away), each accepted client's app getting {@code onClose}; wait until the workers have handled every
 * event; {@code onWorkerStop} and unload; close the links and the threads. Idempotent; thread-safe.
 *
 * <p><b>Safety.</b> An internal port (register, gateway) bound to an address that is not loopback needs a
 * cluster secret: without one the start is refused with one line that says what to set.
 */
public final class Host implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Host.class);
    private static final AtomicInteger INSTANCES = new AtomicInteger();
    /** Longest wait for each stop step. */
    static final Duration STOP_STEP_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final HostConfig config;
    private final EventLoops loops;
    private final InternalNetwork network;
    private final RegisterServer register;
    private final GatewayServer gateway;
    private final BusinessWorker worker;
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final java.time.Instant startedAt = java.time.Instant.now();
    private volatile List<InetSocketAddress> listenerAddresses = List.of();

    private Host(HostConfig config) {
        this.config = config;
        String namespace = "host-" + INSTANCES.incrementAndGet() + "-" + ProcessHandle.current().pid();
        this.loops = EventLoops.create(config.ioThreads());
        this.network = new InternalNetwork(loops, namespace, config.cluster());
        this.register = config.runs(HostRole.REGISTER) ? new RegisterServer(network, config.registerAddress()) : null;
        this.gateway = config.runs(HostRole.GATEWAY) ? new GatewayServer(network, config.gatewayAddress(),
                config.gatewayAdvertise(), config.registerAddresses(), config.listeners(), config.limits()) : null;
        this.worker = config.runs(HostRole.WORKER) ? new BusinessWorker(network, config.registerAddresses(),
                config.workerName(), config.pluginsDir(), config.dataDir(), config.limits()) : null;
    }

    /**
     * Starts the roles of {@code config}.
     *
     * @throws HostStartException with a one-line reason when a step fails (a port in use, say); whatever
     *         was started is stopped again
     */
    public static Host start(HostConfig config) {
        checkSecret(config);
        Host host;
        try {
            host = new Host(config);
        } catch (IllegalArgumentException e) {
            throw new HostStartException(e.getMessage(), e);
        }
        try {
            if (host.register != null) {
                await(host.register.start(), "start the register");
            }
            if (host.gateway != null) {
                await(host.gateway.start(), "start the gateway");
            }
            if (host.worker != null) {
                await(host.worker.start(config.watchPlugins()), "start the worker");
            }
            if (host.gateway != null && host.worker != null) {
                await(host.worker.firstGatewaysLinked(), "link the worker to the gateways");
            }
            if (host.gateway != null) {
                host.listenerAddresses = await(host.gateway.startListeners(), "open the listeners");
            }
        } catch (HostStartException e) {
            host.stopNow();
            throw e;
        }
        if (host.worker != null) {
            host.reportApps();
        }
        log.info("Roles: {}", host.describeRoles());
        return host;
    }

    /** An internal port on a non-loopback address without a secret: refused. */
    private static void checkSecret(HostConfig config) {
        if (config.cluster().hasSecret()) {
            return;
        }
        List<String> exposed = new ArrayList<>();
        if (config.runs(HostRole.REGISTER) && !loopback(config.registerAddress().host())) {
            exposed.add("register.address " + config.registerAddress());
        }
        if (config.runs(HostRole.GATEWAY) && !loopback(config.gatewayAddress().host())) {
            exposed.add("gateway.address " + config.gatewayAddress());
        }
        if (!exposed.isEmpty()) {
            throw new HostStartException(String.join(" and ", exposed) + " binds a non-loopback address: set"
                    + " cluster.secret-file (or cluster.secret) to the same secret on every role, so that only your"
                    + " cluster's processes can link", null);
        }
    }

    private static boolean loopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    /** "register 127.0.0.1:1236, gateway 127.0.0.1:2300, worker worker-1". */
    public String describeRoles() {
        List<String> roles = new ArrayList<>();
        if (register != null) {
            roles.add("register " + config.registerAddress());
        }
        if (gateway != null) {
            roles.add("gateway " + gateway.internalAddress());
        }
        if (worker != null) {
            roles.add("worker " + worker.name());
        }
        return String.join(", ", roles);
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
        if (gateway == null) {
            return; // the listeners are another process's
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

    /** The gateway role, or null when this process does not run it. */
    public GatewayServer gateway() {
        return gateway;
    }

    /** The worker role, or null when this process does not run it. */
    public BusinessWorker worker() {
        return worker;
    }

    /**
     * The cluster as a register sees it: this process's register when it runs one, else the first register
     * its gateway or worker is linked to. Fails when no register answers within {@code timeout}.
     */
    public java.util.concurrent.CompletableFuture<ClusterView> clusterView(Duration timeout) {
        if (register != null) {
            return register.view();
        }
        RegisterLink link = linkedRegister();
        if (link == null) {
            return java.util.concurrent.CompletableFuture.failedFuture(new IllegalStateException(
                    "no register is reachable from this process (register.address " + config.registerAddresses() + ")"));
        }
        return link.view(timeout);
    }

    /**
     * Reloads {@code app} (every app when empty) on every worker of the cluster, one at a time, through a
     * register (see {@code RegisterServer}); {@code each} gets each worker's result as it comes. Completes
     * after the last, or exceptionally when no register is reachable.
     */
    public java.util.concurrent.CompletableFuture<Void> rollingReload(String app, java.util.function.Consumer<ReloadResult> each) {
        java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
        if (register != null) {
            register.rollingReload(app, result -> {
                each.accept(result);
                if (result.getDone()) {
                    done.complete(null);
                }
            });
            return done;
        }
        RegisterLink link = linkedRegister();
        if (link == null) {
            return java.util.concurrent.CompletableFuture.failedFuture(new IllegalStateException(
                    "no register is reachable from this process (register.address " + config.registerAddresses() + ")"));
        }
        return link.rollingReload(app, each);
    }

    /** The first register link that is up, of the gateway's or the worker's, or null. */
    private RegisterLink linkedRegister() {
        List<RegisterLink> links = new ArrayList<>();
        if (gateway != null) {
            links.addAll(gateway.registerLinks());
        }
        if (worker != null) {
            links.addAll(worker.registerLinks());
        }
        return links.stream().filter(RegisterLink::isLinked).findFirst().orElse(null);
    }

    /** Whether this process runs every role (the embedded mode): it is then a whole server by itself. */
    public boolean embedded() {
        return register != null && gateway != null && worker != null;
    }

    /** The register role, or null when this process does not run it. */
    public RegisterServer register() {
        return register;
    }

    /** Whether this process runs {@code role}. */
    public boolean runs(HostRole role) {
        return config.runs(role);
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
        if (gateway != null) {
            int clients = gateway.clientCount();
            log.info("Stopping: closing {} client(s) with 1001 (going away)", clients);
            gateway.stopAccepting();
            step("close the clients", () -> gateway.closeClients(1001, "server stopping")
                    .get(STOP_STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
            step("let the workers finish their events", () -> gateway.drainWorkers(STOP_STEP_TIMEOUT)
                    .get(STOP_STEP_TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS));
        } else {
            log.info("Stopping");
        }
        if (worker != null) {
            // In a cluster, the clients this worker serves on other gateways live on: those gateways move
            // them to other workers once this one has finished their events.
            step("move this worker's clients to other workers", () -> worker.drain()
                    .get(STOP_STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        }
        closeRoles();
        log.info("Stopped in {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    /**
     * Stops accepting new clients, waits until the connected ones have left, at most {@code timeout},
     * then {@link #stop()}s. Returns when stopped.
     */
    public void stopGracefully(Duration timeout) {
        if (gateway != null) {
            gateway.stopAccepting();
            int clients = gateway.clientCount();
            log.info("Stopping gracefully: no new clients; waiting up to {} s for {} client(s) to leave", timeout.toSeconds(), clients);
            try {
                gateway.noClients().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                log.info("{} client(s) still connected after {} s; closing them", gateway.clientCount(), timeout.toSeconds());
            } catch (ExecutionException e) {
                log.warn("Waiting for the clients to leave failed: {}", e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
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
        if (worker != null) {
            closers.add(worker::close);
        }
        if (gateway != null) {
            closers.add(gateway::close);
        }
        if (register != null) {
            closers.add(register::close);
        }
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
