package io.gatewayworker.host.worker;

import io.gatewayworker.host.app.AppManager;
import io.gatewayworker.host.app.AppRuntime;
import io.gatewayworker.host.app.AppState;
import io.gatewayworker.host.config.Limits;
import io.gatewayworker.host.link.InternalNetwork;
import io.gatewayworker.host.link.LinkInitializer;
import io.gatewayworker.host.link.LinkProtocol;
import io.gatewayworker.host.link.RegisterLink;
import io.gatewayworker.host.link.Reports;
import io.gatewayworker.proto.link.v1.LinkReport;
import io.gatewayworker.proto.link.v1.Reload;
import io.gatewayworker.proto.link.v1.ReloadResult;
import io.gatewayworker.proto.link.v1.Report;
import io.gatewayworker.host.transport.EventLoops;
import io.gatewayworker.host.transport.InternalAddress;
import io.gatewayworker.host.transport.Transport;
import io.gatewayworker.proto.link.v1.AppInfo;
import io.gatewayworker.proto.link.v1.AppList;
import io.gatewayworker.proto.link.v1.Close;
import io.gatewayworker.proto.link.v1.Command;
import io.gatewayworker.proto.link.v1.Draining;
import io.gatewayworker.proto.link.v1.Envelope;
import io.gatewayworker.proto.link.v1.Hello;
import io.gatewayworker.proto.link.v1.Role;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The BusinessWorker role: runs the apps and links to every gateway.
 *
 * <p><b>Start</b> ({@link #start()}): load and start the apps from the plugins folder, subscribe to the
 * register, link to each gateway it lists; the future completes once every gateway of the first list
 * is linked. Gateways that join later are linked when the register reports them; a link that breaks is
 * retried while its gateway is listed.
 *
 * <p><b>Stop</b> ({@link #close()}): the host first lets the gateways close their clients and waits for
 * the workers to drain; then this stops the apps ({@code onWorkerStop}), closes the links and ends the
 * callback threads.
 *
 * <p><b>Threads.</b> The register list and gateway links are handled on I/O loops; app callbacks on
 * virtual threads ({@link Dispatcher}); app loading on the apps' owner thread ({@link AppManager}).
 */
public final class BusinessWorker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BusinessWorker.class);

    private final EventLoops loops;
    private final InternalNetwork network;
    private final List<InternalAddress> registerAddresses;
    private final String name;
    private final Limits limits;
    private final GatewayDirectory directory = new GatewayDirectory();
    /** What this worker knows of each gateway across its links, by internal address. */
    private final ConcurrentHashMap<String, GatewayPeer> peers = new ConcurrentHashMap<>();
    private final AppManager apps;
    private final Dispatcher dispatcher;
    private final EventLoop control;
    private final WorkerFlowWatch flowWatch;
    /** Control loop only: gateways each register lists; {@link #listed} is their union. */
    private final Map<InternalAddress, List<String>> lists = new HashMap<>();
    /** Control loop only: gateways some register lists. */
    private final Set<String> listed = new HashSet<>();
    /** Gateways with a link open or being opened. */
    private final Set<String> connecting = ConcurrentHashMap.newKeySet();
    private final CompletableFuture<Void> firstListLinked = new CompletableFuture<>();
    private Set<String> firstList;
    private volatile boolean closing;
    /** Stopping gracefully: the gateways move this worker's clients away, no lease, no onClose. */
    private volatile boolean draining;
    private final List<RegisterLink> registers = new java.util.concurrent.CopyOnWriteArrayList<>();

    public BusinessWorker(InternalNetwork network, List<InternalAddress> registerAddresses, String name, Path pluginsDir,
                          Path dataDir, Limits limits) {
        this.network = network;
        this.loops = network.loops();
        this.registerAddresses = List.copyOf(registerAddresses);
        this.name = name;
        this.limits = limits;
        this.control = loops.nextIo();
        this.apps = new AppManager(pluginsDir, dataDir, app -> new AppGateway(app, directory, limits), limits);
        this.dispatcher = new Dispatcher(apps, limits);
        this.flowWatch = new WorkerFlowWatch(directory, limits.stallTimeout(), limits.callbackBudget(), this::flowReport);
        apps.addListener(this::announceApps);
        apps.setAppCloser(this::closeClientsOf);
    }

    /**
     * Loads the apps, then subscribes to the registers and links to the gateways they list (see
     * {@link #firstGatewaysLinked()}); completes once the apps are loaded.
     * With {@code watch}, a change of the plugins folder then adds, reloads or removes apps.
     */
    public CompletableFuture<Void> start(boolean watch) {
        return apps.loadAll().thenCompose(outcomes -> {
            if (watch) {
                try {
                    apps.watch();
                } catch (java.io.IOException e) {
                    log.warn("Cannot watch {} for app jars: {}; reload with the reload command", apps.pluginsDir(), e.toString());
                }
            }
            Hello hello = Hello.newBuilder().setProtocolVersion(LinkProtocol.VERSION).setRole(Role.WORKER)
                    .setName(name).build();
            for (InternalAddress address : registerAddresses) {
                RegisterLink link = new RegisterLink(network, address, hello, list -> gatewaysListed(address, list))
                        .reporter(this::report).onReload(this::reloadRequested);
                registers.add(link);
                link.start();
            }
            flowWatch.start(control);
            return CompletableFuture.completedFuture(null);
        });
    }

    /**
     * Completes once the gateways that the registers listed first are linked (at once when they list none):
     * an embedded host opens its listeners then, so that "listening" means "served".
     */
    public CompletableFuture<Void> firstGatewaysLinked() {
        return firstListLinked;
    }

    public AppManager apps() {
        return apps;
    }

    public String name() {
        return name;
    }

    /** This worker's state for the registers (the operator's view of the cluster). Any thread. */
    Report report() {
        Report.Builder r = Reports.of(name).addAllApps(appInfos(apps.running()));
        for (GatewayPeer peer : peers.values()) {
            GatewayLink link = peer.link();
            if (link == null && peer.clients().isEmpty()) {
                continue;
            }
            r.addLinks(LinkReport.newBuilder().setPeer(peer.address().toString()).setClients(peer.clients().size())
                    .setState(link != null ? "open" : "lease"));
        }
        return r.build();
    }

    /** A register runs a rolling reload: this worker's turn. Register link's loop; the reload runs on the apps' thread. */
    private void reloadRequested(Reload request, java.util.function.Consumer<ReloadResult> answer) {
        String app = request.getApp();
        log.info("Worker {}: reloading {} for a rolling reload", name, app.isEmpty() ? "every app" : "app " + app);
        CompletableFuture<List<AppManager.Outcome>> outcomes = app.isEmpty() ? apps.reloadAll()
                : apps.reload(app).thenApply(List::of);
        outcomes.whenComplete((list, failure) -> {
            ReloadResult.Builder result = ReloadResult.newBuilder().setId(request.getId()).setWorker(name);
            if (failure != null) {
                result.setOk(false).addLines("the reload failed: " + failure);
            } else {
                result.setOk(list.stream().allMatch(AppManager.Outcome::ok));
                for (AppManager.Outcome o : list) {
                    result.addLines(o.app() + ": " + o.message());
                }
            }
            answer.accept(result.build());
        });
    }

    /** The links to the registers (the operator's questions to the cluster go through them). */
    public List<RegisterLink> registerLinks() {
        return List.copyOf(registers);
    }

    /** Gateways this worker is linked to. */
    public List<String> gateways() {
        return directory.all().stream().map(l -> l.address().toString()).toList();
    }

    /** The open gateway links (for tests and diagnostics). */
    List<GatewayLink> flowLinks() {
        return directory.all();
    }

    /** One line on flow control per gateway link: events in flight, credit not yet returned, busy clients. */
    public String flowReport() {
        StringBuilder sb = new StringBuilder();
        for (GatewayLink link : directory.all()) {
            long busy = link.clients().values().stream().filter(c -> c.queued() > 0).count();
            long stranded = link.clients().values().stream().filter(ClientState::stranded).count();
            sb.append(link).append(": ").append(link.flowReport()).append(", clients with queued events ").append(busy)
                    .append(", with events and no thread ").append(stranded).append("; ");
        }
        return sb.append("stalls ").append(flowWatch.stalls()).toString();
    }

    /** Stalls (missed wake-ups) the flow watch reported since start. */
    public long stalls() {
        return flowWatch.stalls();
    }

    WorkerFlowWatch flowWatch() {
        return flowWatch;
    }

    Limits limits() {
        return limits;
    }

    Dispatcher dispatcher() {
        return dispatcher;
    }

    /**
     * Starts a graceful stop: asks every gateway to move this worker's clients to other workers (Draining);
     * each gateway does so as this worker finishes the clients' events, then closes the link. Completes
     * when every link is closed; no onClose runs for the clients moved. Gateways that join meanwhile are
     * not linked.
     */
    public CompletableFuture<Void> drain() {
        draining = true;
        registers.forEach(RegisterLink::close);
        CompletableFuture<Void> done = new CompletableFuture<>();
        List<GatewayLink> links = directory.all();
        if (!links.isEmpty()) {
            log.info("Worker {}: asking {} gateway(s) to move its clients to other workers", name, links.size());
        }
        for (GatewayLink link : links) {
            link.out().addControl(Envelope.newBuilder().setDraining(Draining.getDefaultInstance()).build());
        }
        Runnable check = new Runnable() {
            @Override
            public void run() {
                if (directory.all().isEmpty()) {
                    done.complete(null);
                } else if (!done.isDone()) {
                    control.schedule(this, 20, TimeUnit.MILLISECONDS);
                }
            }
        };
        control.execute(check);
        return done;
    }

    /** Stops the apps, closes the links, ends the callback threads. */
    @Override
    public void close() {
        closing = true;
        flowWatch.close();
        registers.forEach(RegisterLink::close);
        apps.close();
        for (GatewayLink link : directory.all()) {
            link.channel().close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        dispatcher.close();
    }

    // ------------------------------------------------------------------ links

    /**
     * A register's list of gateways (empty when the link to it is lost). Runs on the register link's loop.
     * The worker links to every gateway some register lists; a gateway that no register lists any more is
     * not reached again once its link closes, but a link that lives is never closed for it (a register
     * that restarts knows nothing for a moment).
     */
    private void gatewaysListed(InternalAddress register, List<String> addresses) {
        control.execute(() -> {
            lists.put(register, List.copyOf(addresses));
            listed.clear();
            lists.values().forEach(listed::addAll);
            if (firstList == null && !addresses.isEmpty() || firstList == null && lists.size() == registerAddresses.size()) {
                firstList = new HashSet<>(listed);
                if (firstList.isEmpty()) {
                    log.info("No gateway is registered yet; this worker links to gateways as they join");
                    firstListLinked.complete(null);
                }
            }
            for (String address : addresses) {
                if (connecting.add(address)) {
                    connect(address);
                }
            }
        });
    }

    private void connect(String address) {
        if (closing || draining) {
            return;
        }
        InternalAddress gateway;
        try {
            gateway = InternalAddress.parse(address);
        } catch (IllegalArgumentException e) {
            log.error("The register lists a malformed gateway address: {}", e.getMessage());
            return;
        }
        InternalNetwork.Target target = network.gateway(gateway);
        Transport transport = target.transport();
        loops.internalClient(transport, loops.linkLoop(transport))
                .handler(new LinkInitializer(transport, () -> new GatewayLinkHandler(this, gateway, this::hello),
                        "GatewayLinkHandler", network.tcp(false, "gateway " + gateway)))
                .connect(target.address())
                .addListener((ChannelFutureListener) f -> {
                    if (!f.isSuccess()) {
                        log.warn("Cannot link to gateway {}: {}; retrying", address, f.cause().getMessage());
                        retry(address);
                    }
                });
    }

    private void retry(String address) {
        control.schedule(() -> {
            if (!closing && !draining && listed.contains(address)) {
                connect(address);
            } else {
                connecting.remove(address);
            }
        }, LinkProtocol.RECONNECT_DELAY_MILLIS, TimeUnit.MILLISECONDS);
    }

    Hello hello() {
        return Hello.newBuilder().setProtocolVersion(LinkProtocol.VERSION).setRole(Role.WORKER).setName(name)
                .setCreditWindow(limits.linkCreditWindow()).addAllApps(appInfos(apps.running())).build();
    }

    void linked(GatewayLink link, long gatewayRun) {
        peers.computeIfAbsent(link.address().toString(), a -> new GatewayPeer(link.address())).linked(link, gatewayRun);
        directory.add(link);
        // The Hello's app list was taken when the link opened; the apps may have changed since.
        link.out().add(Envelope.newBuilder().setApps(AppList.newBuilder().addAllApps(appInfos(apps.running()))).build());
        log.info("Worker {} linked to gateway {}", name, link.address());
        control.execute(() -> {
            if (firstList != null && !firstListLinked.isDone()) {
                Set<String> linked = new HashSet<>(gateways());
                if (linked.containsAll(firstList)) {
                    firstListLinked.complete(null);
                }
            }
        });
    }

    void unlinked(GatewayLink link, boolean wasOpen) {
        directory.remove(link);
        String address = link.address().toString();
        GatewayPeer peer = link.peer();
        if (peer != null) {
            if (draining) {
                peer.forget(); // the gateway moved them (or hands them on as from a lost worker)
            } else {
                // In one JVM a link ends only with its gateway: no lease then.
                boolean local = network.gateway(link.address()).transport() == Transport.LOCAL;
                peer.unlinked(link, local || closing ? 0 : network.cluster().lease().toMillis(), control);
            }
        }
        if (closing || draining) {
            return;
        }
        if (wasOpen) {
            log.warn("Worker {} lost its link to gateway {}", name, address);
        }
        retry(address);
    }

    /**
     * Closes every client of an app (1001, going away) on every gateway; completes once this worker
     * has handled their close events ({@code onClose} ran), checking every 20 ms.
     */
    private CompletableFuture<Void> closeClientsOf(String app) {
        int closing = 0;
        for (GatewayLink link : directory.all()) {
            for (ClientState client : link.clients().values()) {
                if (app.equals(client.info().getApp())) {
                    closing++;
                    link.command(Command.newBuilder().setApp(app).setClose(Close.newBuilder()
                            .setConnection(client.connection()).setCode(1001).setReason("app removed")).build());
                }
            }
        }
        log.info("Closing {} client(s) of app {}", closing, app);
        CompletableFuture<Void> gone = new CompletableFuture<>();
        Runnable check = new Runnable() {
            @Override
            public void run() {
                boolean any = directory.all().stream().flatMap(l -> l.clients().values().stream())
                        .anyMatch(c -> app.equals(c.info().getApp()));
                if (!any) {
                    gone.complete(null);
                } else if (!gone.isDone()) { // done also when the caller gave up (cancelled)
                    control.schedule(this, 20, TimeUnit.MILLISECONDS);
                }
            }
        };
        control.execute(check);
        return gone;
    }

    private void announceApps(Collection<AppRuntime> running) {
        if (closing) {
            return; // the gateways are closing these links
        }
        Envelope update = Envelope.newBuilder().setApps(AppList.newBuilder().addAllApps(appInfos(running))).build();
        for (GatewayLink link : directory.all()) {
            link.out().add(update);
        }
    }

    private static List<AppInfo> appInfos(Collection<AppRuntime> running) {
        return running.stream().map(a -> AppInfo.newBuilder().setId(a.id()).setVersion(a.version())
                .setServing(a.state() == AppState.RUNNING).build()).toList();
    }
}
