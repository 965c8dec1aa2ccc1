package io.gatewayworker.host.control.command;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An {@link OperatorView} for tests: a process with the roles the test gives it, whose data the test
 * sets, and which records what the commands asked of it.
 */
final class FakeView implements OperatorView {

    final FakeGateway gateway;
    final FakeWorker worker;
    private final String roles;

    private FakeView(boolean gateway, boolean worker) {
        this.gateway = gateway ? new FakeGateway() : null;
        this.worker = worker ? new FakeWorker() : null;
        List<String> r = new ArrayList<>();
        if (gateway) {
            r.add("gateway 127.0.0.1:2300");
        }
        if (worker) {
            r.add("worker worker-1");
        }
        this.roles = String.join(", ", r);
    }

    static FakeView gatewayAndWorker() {
        return new FakeView(true, true);
    }

    static FakeView workerOnly() {
        return new FakeView(false, true);
    }

    static FakeView gatewayOnly() {
        return new FakeView(true, false);
    }

    @Override
    public String version() {
        return "test";
    }

    @Override
    public long pid() {
        return 42;
    }

    @Override
    public Instant startedAt() {
        return Instant.now();
    }

    @Override
    public String roles() {
        return roles;
    }

    @Override
    public String config() {
        return "key = value\n";
    }

    @Override
    public Memory memory() {
        return new Memory(1 << 20, 1 << 30, 0, "21", 2);
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
        return Optional.empty();
    }

    static final class FakeGateway implements Gateway {
        final List<Client> clients = new CopyOnWriteArrayList<>();
        final List<String> sent = new CopyOnWriteArrayList<>();
        volatile RuntimeException groupsFailure;

        /** Adds a client with {@code id}, bound to {@code uid} (may be null), in {@code groups}, of app "chat". */
        void connect(String id, String uid, String... groups) {
            clients.add(new Client(id, "127.0.0.1:5000", "ws://127.0.0.1:7272", "websocket", "chat", uid,
                    List.of(groups), 0, 0, 0, 0));
        }

        @Override
        public String address() {
            return "127.0.0.1:2300";
        }

        @Override
        public List<Listener> listeners() {
            return List.of(new Listener("ws://127.0.0.1:7272", "chat", "websocket", clients.size(), 0, 0, 0, 0, Rate.NONE));
        }

        @Override
        public int clientCount() {
            return clients.size();
        }

        @Override
        public List<String> clientIds() {
            return clients.stream().map(Client::id).sorted().toList();
        }

        @Override
        public List<Client> clients(ClientFilter filter) {
            return clients.stream().filter(filter::matches).toList();
        }

        @Override
        public boolean kick(String clientId, String reason) {
            sent.add("kick " + clientId + " " + reason);
            return clients.removeIf(c -> c.id().equals(clientId));
        }

        @Override
        public boolean send(String clientId, String text) {
            sent.add("send " + clientId + " " + text);
            return clients.stream().anyMatch(c -> c.id().equals(clientId));
        }

        @Override
        public int broadcast(String text) {
            sent.add("broadcast " + text);
            return clients.size();
        }

        @Override
        public List<Group> groups() {
            if (groupsFailure != null) {
                throw groupsFailure;
            }
            return clients.stream().flatMap(c -> c.groups().stream()).distinct().sorted()
                    .map(g -> new Group("chat", g, (int) clients.stream().filter(c -> c.groups().contains(g)).count()))
                    .toList();
        }

        @Override
        public long stalls() {
            return 0;
        }

        @Override
        public int peakEventsWaiting() {
            return 0;
        }

        @Override
        public int creditWindow() {
            return 1024;
        }

        @Override
        public List<String> workers() {
            return List.of("worker-1");
        }
    }

    static final class FakeWorker implements Worker {
        final List<App> apps = new CopyOnWriteArrayList<>();

        void run(String id) {
            apps.add(new App(id, "1.0.0", "RUNNING", Instant.now(), 0, 0, 0, List.of()));
        }

        @Override
        public String name() {
            return "worker-1";
        }

        @Override
        public List<App> apps() {
            return List.copyOf(apps);
        }

        @Override
        public List<Refusal> refusals() {
            return List.of();
        }

        @Override
        public List<Reload> reload(String app) {
            return apps.stream().filter(a -> app == null || a.id().equals(app))
                    .map(a -> new Reload(a.id(), true, "App " + a.id() + " reloaded")).toList();
        }

        @Override
        public long stalls() {
            return 0;
        }

        @Override
        public String pluginsDir() {
            return "plugins";
        }

        @Override
        public List<String> gateways() {
            return List.of("127.0.0.1:2300");
        }
    }
}
