package io.gatewayworker.host.control;

import io.gatewayworker.host.Host;
import io.gatewayworker.host.app.AppManager;
import io.gatewayworker.host.config.ConfigLoader;
import io.gatewayworker.host.control.command.OperatorView;
import io.gatewayworker.host.gateway.GatewayServer;
import io.gatewayworker.host.register.RegisterServer;
import io.gatewayworker.host.worker.BusinessWorker;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The {@link OperatorView} of this process: answers from the roles it runs, and for no other (their
 * accessors are empty). A view of the whole cluster can wrap this one and answer the others.
 *
 * <p>Thread-safe. Methods run on the caller's thread and may block: a read of the clients goes to each
 * client's event loop and is awaited here (at most {@value #QUERY_SECONDS} s), a reload up to
 * {@value #RELOAD_MINUTES} minutes. When the process runs a gateway, a sampler thread ({@code gw-stats})
 * takes the listeners' figures every second, for the rates; {@link #close()} ends it.
 */
final class LocalOperatorView implements OperatorView, AutoCloseable {

    static final int QUERY_SECONDS = 5;
    static final int RELOAD_MINUTES = 5;

    private final Host host;
    private final Gateway gateway;
    private final Worker worker;
    private final Register register;
    private final ScheduledExecutorService sampler;

    LocalOperatorView(Host host) {
        this.host = host;
        LocalGateway g = host.gateway() == null ? null : new LocalGateway(host.gateway(),
                host.config().limits().linkCreditWindow());
        this.gateway = g;
        this.worker = host.worker() == null ? null : new LocalWorker(host.worker());
        this.register = host.register() == null ? null : new LocalRegister(host.register());
        if (g == null) {
            this.sampler = null;
        } else {
            this.sampler = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "gw-stats");
                t.setDaemon(true);
                return t;
            });
            sampler.scheduleAtFixedRate(g::sample, 0, 1, TimeUnit.SECONDS);
        }
    }

    @Override
    public String version() {
        return Host.version();
    }

    @Override
    public long pid() {
        return ProcessHandle.current().pid();
    }

    @Override
    public Instant startedAt() {
        return host.startedAt();
    }

    @Override
    public String roles() {
        return host.describeRoles();
    }

    @Override
    public String config() {
        return ConfigLoader.render(host.config());
    }

    @Override
    public Memory memory() {
        Runtime rt = Runtime.getRuntime();
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        long direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(b -> b.getName().equals("direct")).mapToLong(BufferPoolMXBean::getMemoryUsed).sum()
                + io.netty.util.internal.PlatformDependent.usedDirectMemory();
        return new Memory(heap.getUsed(), heap.getMax() > 0 ? heap.getMax() : rt.maxMemory(), direct,
                System.getProperty("java.version"), rt.availableProcessors());
    }

    @Override
    public Optional<Gateway> gateway() {
        return Optional.ofNullable(gateway);
    }

    @Override
    public Optional<Worker> worker() {
        return Optional.ofNullable(worker);
    }

    @Override
    public Optional<Register> register() {
        return Optional.ofNullable(register);
    }

    @Override
    public void close() {
        if (sampler != null) {
            sampler.shutdownNow();
        }
    }

    /** Waits for {@code step}, at most {@code seconds}; its failure or its silence as one line. */
    static <T> T await(CompletableFuture<T> step, long seconds, String what) {
        try {
            return step.get(seconds, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException(what + " did not answer within " + seconds + " s; try again", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new IllegalStateException(cause.getMessage() == null ? cause.toString() : cause.getMessage(), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + what, e);
        }
    }

    /** The gateway of this process, with the sampled figures for the rates. */
    private static final class LocalGateway implements Gateway {
        private final GatewayServer server;
        private final int creditWindow;
        private volatile List<GatewayServer.ListenerStats> previous = List.of();
        private volatile List<GatewayServer.ListenerStats> latest = List.of();

        LocalGateway(GatewayServer server, int creditWindow) {
            this.server = server;
            this.creditWindow = creditWindow;
        }

        /** On the sampler thread, every second. */
        void sample() {
            previous = latest;
            latest = server.listenerStats();
        }

        @Override
        public String address() {
            return server.internalAddress().toString();
        }

        @Override
        public List<Listener> listeners() {
            List<Listener> out = new ArrayList<>();
            for (GatewayServer.ListenerStats l : server.listenerStats()) {
                out.add(new Listener(l.name(), l.app(), l.protocol(), l.connections(), l.messagesIn(), l.messagesOut(),
                        l.bytesIn(), l.bytesOut(), rate(find(previous, l.name()), find(latest, l.name()))));
            }
            return out;
        }

        private static GatewayServer.ListenerStats find(List<GatewayServer.ListenerStats> sample, String name) {
            return sample.stream().filter(s -> s.name().equals(name)).findFirst().orElse(null);
        }

        /** Per second over the last sampling second. */
        private static Rate rate(GatewayServer.ListenerStats before, GatewayServer.ListenerStats last) {
            if (before == null || last == null) {
                return Rate.NONE;
            }
            return new Rate(Math.max(0, last.messagesIn() - before.messagesIn()),
                    Math.max(0, last.messagesOut() - before.messagesOut()), Math.max(0, last.bytesIn() - before.bytesIn()),
                    Math.max(0, last.bytesOut() - before.bytesOut()));
        }

        @Override
        public int clientCount() {
            return server.clientCount();
        }

        @Override
        public List<String> clientIds() {
            return server.clientIds();
        }

        @Override
        public List<Client> clients(ClientFilter filter) {
            List<Client> out = new ArrayList<>();
            for (GatewayServer.ClientRow r : await(server.connections(), QUERY_SECONDS, "the gateway's list of clients")) {
                Client c = new Client(r.id(), r.remote(), r.listener(), r.protocol(), r.app(), r.uid(), r.groups(),
                        r.sessionBytes(), r.bytesIn(), r.bytesOut(), r.idleMillis());
                if (filter.matches(c)) {
                    out.add(c);
                }
            }
            return out;
        }

        @Override
        public boolean kick(String clientId, String reason) {
            return server.kick(clientId, reason);
        }

        @Override
        public boolean send(String clientId, String text) {
            return server.send(clientId, text);
        }

        @Override
        public int broadcast(String text) {
            return server.broadcast(text);
        }

        @Override
        public List<Group> groups() {
            List<Group> out = new ArrayList<>();
            await(server.groups(), QUERY_SECONDS, "the gateway's list of groups").forEach((app, byGroup) ->
                    byGroup.forEach((group, members) -> out.add(new Group(app, group, members))));
            return out;
        }

        @Override
        public long stalls() {
            return server.stalls();
        }

        @Override
        public int peakEventsWaiting() {
            return server.peakEventsWaiting();
        }

        @Override
        public int creditWindow() {
            return creditWindow;
        }

        @Override
        public List<String> workers() {
            return server.workerNames();
        }
    }

    /** The worker of this process. */
    private record LocalWorker(BusinessWorker worker) implements Worker {
        @Override
        public String name() {
            return worker.name();
        }

        @Override
        public List<App> apps() {
            return worker.apps().status().stream().map(a -> new App(a.id(), a.version(), a.state().name(), a.loadedAt(),
                    a.events(), a.errors(), a.reloads(), a.leakedVersions())).toList();
        }

        @Override
        public List<Refusal> refusals() {
            return worker.apps().refusals().stream()
                    .map(r -> new Refusal(r.jar().getFileName().toString(), r.reason())).toList();
        }

        @Override
        public List<Reload> reload(String app) {
            AppManager apps = worker.apps();
            List<AppManager.Outcome> outcomes = app == null
                    ? await(apps.reloadAll(), TimeUnit.MINUTES.toSeconds(RELOAD_MINUTES), "the reload")
                    : List.of(await(apps.reload(app), TimeUnit.MINUTES.toSeconds(RELOAD_MINUTES), "the reload of " + app));
            return outcomes.stream().map(o -> new Reload(o.app(), o.ok(), o.message())).toList();
        }

        @Override
        public long stalls() {
            return worker.stalls();
        }

        @Override
        public String pluginsDir() {
            return worker.apps().pluginsDir().toString();
        }

        @Override
        public List<String> gateways() {
            return worker.gateways();
        }
    }

    /** The register of this process. */
    private record LocalRegister(RegisterServer server) implements Register {
        @Override
        public List<String> gateways() {
            return server.gatewayAddresses();
        }

        @Override
        public int subscribers() {
            return server.subscribers().size();
        }
    }
}
