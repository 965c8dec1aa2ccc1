package io.gatewayworker.host.control.command;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What the operator's commands see of a running system: the process (identity, configuration,
 * memory) and, when they can be asked, its roles. The commands work against this view only, never
 * against the roles themselves, so the same commands serve any process, whichever roles it runs.
 *
 * <h3>Roles the view cannot answer for</h3>
 *
 * {@link #gateway()}, {@link #worker()} and {@link #register()} are empty when the view cannot answer
 * for that role. A command that needs one calls {@link #requireGateway()} or {@link #requireWorker()};
 * these throw a {@link RoleMissingException} whose message is the one line the operator sees (the
 * command then exits 1). The view of one process ({@code LocalOperatorView}) answers for the roles the
 * process runs. A view of a whole cluster can wrap it and answer the missing roles by asking other
 * processes: that is why every method returns plain data (records, strings, numbers), never an object
 * of a role.
 *
 * <h3>Threads</h3>
 *
 * Implementations are thread-safe. Commands call the view on a thread that may block (the shell's
 * thread or a platform thread of the control endpoint), never on a network thread; a method that
 * has to wait for another thread or process waits a bounded time and then throws an unchecked
 * exception whose message says what did not answer.
 */
public interface OperatorView {

    /** The version of this GatewayWorker build. */
    String version();

    /** The process id. */
    long pid();

    /** When the process started serving. */
    Instant startedAt();

    /** The roles this process runs, with their addresses: "register 127.0.0.1:1236, gateway ..., worker worker-1". */
    String roles();

    /** The effective configuration, one {@code key = value} per line. */
    String config();

    /** The process's memory and machine. */
    Memory memory();

    /** The gateway, when this view can answer for one. */
    Optional<Gateway> gateway();

    /** The worker, when this view can answer for one. */
    Optional<Worker> worker();

    /** The register, when this view can answer for one. */
    Optional<Register> register();

    /**
     * The gateway, for a command that cannot do without one.
     *
     * @throws RoleMissingException when the view has none
     */
    default Gateway requireGateway() {
        return gateway().orElseThrow(() -> new RoleMissingException("gateway", roles()));
    }

    /**
     * The worker, for a command that cannot do without one.
     *
     * @throws RoleMissingException when the view has none
     */
    default Worker requireWorker() {
        return worker().orElseThrow(() -> new RoleMissingException("worker", roles()));
    }

    /** The gateway role: listeners, clients, groups. */
    interface Gateway {

        /** The internal address workers link to. */
        String address();

        /** Each public listener with its figures since start and its rates over the last second. */
        List<Listener> listeners();

        /** Connected clients (every state). */
        int clientCount();

        /** The ids of the connected clients, sorted (for completion). Never waits. */
        List<String> clientIds();

        /** The clients that match {@code filter}, sorted by id. */
        List<Client> clients(ClientFilter filter);

        /** Closes a client with 1000 and {@code reason}; false when no such client is connected here. */
        boolean kick(String clientId, String reason);

        /** Sends a text message to one client; false when no such client is connected here. */
        boolean send(String clientId, String text);

        /** Sends a text message to every client; returns how many. */
        int broadcast(String text);

        /** Every group with members, by app then group. */
        List<Group> groups();

        /** Missed wake-ups the gateway's flow watch found since start (0 is right). */
        long stalls();

        /** The most events that waited at once for a worker on one link. */
        int peakEventsWaiting();

        /** The credit window of a worker link: the bound of {@link #peakEventsWaiting()}. */
        int creditWindow();

        /** The names of the workers linked to this gateway. */
        List<String> workers();
    }

    /** The worker role: apps. */
    interface Worker {

        /** The worker's name. */
        String name();

        /** The running apps. */
        List<App> apps();

        /** Jars in the plugins folder that were not loaded, and why. */
        List<Refusal> refusals();

        /**
         * Reloads one app, or every app when {@code app} is null; waits until done.
         *
         * @return one outcome per app; empty when {@code app} is null and no app runs
         */
        List<Reload> reload(String app);

        /** Missed wake-ups the worker's flow watch found since start (0 is right). */
        long stalls();

        /** The folder apps are loaded from. */
        String pluginsDir();

        /** The internal addresses of the gateways this worker is linked to. */
        List<String> gateways();

        /** The ids of the running apps (for completion). */
        default List<String> appIds() {
            return apps().stream().map(App::id).toList();
        }
    }

    /** The register role: the gateways it lists. */
    interface Register {

        /** The internal addresses of the live gateways. */
        List<String> gateways();

        /** How many gateways, workers and push clients are subscribed. */
        int subscribers();
    }

    /**
     * Heap and direct memory of the process, and what it runs on.
     *
     * @param heapMax the most the heap may grow to
     */
    record Memory(long heapUsed, long heapMax, long directUsed, String jdk, int cores) {
    }

    /**
     * Figures per second over the last second the view sampled.
     */
    record Rate(long messagesIn, long messagesOut, long bytesIn, long bytesOut) {
        public static final Rate NONE = new Rate(0, 0, 0, 0);
    }

    /**
     * One public listener.
     *
     * @param name its URL, "ws://127.0.0.1:7272"
     * @param app the app it belongs to, "-" when none runs
     * @param clients its open connections
     * @param rate per second, over the last second
     */
    record Listener(String name, String app, String protocol, int clients, long messagesIn, long messagesOut,
                    long bytesIn, long bytesOut, Rate rate) {
    }

    /**
     * One connected client.
     *
     * @param listener the listener's URL
     * @param uid the bound uid, or null
     */
    record Client(String id, String remote, String listener, String protocol, String app, String uid,
                  List<String> groups, int sessionBytes, long bytesIn, long bytesOut, long idleMillis) {
    }

    /**
     * Which clients {@link Gateway#clients} returns: a null field matches every client.
     */
    record ClientFilter(String uid, String group, String app) {
        /** Every client. */
        public static final ClientFilter ANY = new ClientFilter(null, null, null);

        /** Whether {@code c} passes. */
        public boolean matches(Client c) {
            return (uid == null || uid.equals(c.uid())) && (group == null || c.groups().contains(group))
                    && (app == null || app.equals(c.app()));
        }
    }

    /** A group of one app and its number of members. */
    record Group(String app, String group, int members) {
    }

    /**
     * A running app, over all its versions since start.
     *
     * @param state RUNNING, STARTING, ...
     * @param leakedVersions versions whose class loader stayed reachable after unload
     */
    record App(String id, String version, String state, Instant loadedAt, long events, long errors, int reloads,
               List<String> leakedVersions) {
    }

    /** A jar that was not loaded: its file name and one line on why. */
    record Refusal(String jar, String reason) {
    }

    /** The outcome of one app's reload: one line, possibly long. */
    record Reload(String app, boolean ok, String message) {
    }

    /**
     * A command needs a role that the view cannot answer for. Its message is the operator's one line.
     */
    final class RoleMissingException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        /**
         * @param role "gateway"
         * @param roles what the process runs, {@link OperatorView#roles()}
         */
        public RoleMissingException(String role, String roles) {
            super("this process runs no " + role + " (roles: " + roles + "); run it on a " + role
                    + " process, or on the whole cluster once it can be asked");
        }
    }
}
