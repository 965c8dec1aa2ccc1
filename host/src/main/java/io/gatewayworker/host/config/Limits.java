package io.gatewayworker.host.config;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * Every bound the host enforces, with its default. What breaks a bound is refused with a reason in the
 * log; nothing grows without limit.
 *
 * @param maxFrameBytes largest WebSocket frame payload a client may send
 * @param maxMessageBytes largest message (all fragments) a client may send
 * @param maxHttpHeaderBytes largest HTTP header block of a WebSocket upgrade request
 * @param handshakeTimeout time from TCP accept to a completed handshake (including the app's verdict)
 * @param maxSessionBytes largest encoded session of one client
 * @param maxPendingOutputBytes output a client may leave unread before it is dropped as too slow
 * @param maxConnectionsPerListener connections one listener holds; more are refused
 * @param maxWaitingEventsPerClient events of one client kept while no worker serves its app; past it,
 *        reading from the client pauses
 * @param maxWaitingClientsPerApp clients kept waiting while no worker serves their app; past it, new
 *        clients are refused with 1013 (try again later)
 * @param linkCreditWindow events a gateway may send a worker before the worker acknowledges them
 * @param clientInFlight events of one client on their way to its worker or waiting there, not yet
 *        handled; past it, reading from that client pauses until the worker catches up
 * @param queryTimeout longest wait of a {@code Gateway} query for the gateways' answers
 * @param reloadDrainTimeout during a reload or removal, longest wait for the old version's running
 *        callbacks to return before it is stopped anyway
 * @param leakCheckDelay after a version is unloaded, how long its class loader may stay reachable
 *        before it is reported as leaked
 * @param pingInterval how long a client may stay silent before the gateway sends it a ping (a
 *        WebSocket ping frame, which conforming clients answer with a pong); zero sends none
 * @param idleTimeout how long a client may stay silent (no message, no pong) before the gateway closes
 *        it (1001); zero never closes a client for silence
 * @param callbackBudget how long one app callback may run before it is reported (with its app, client
 *        and stack); it is not stopped: Java cannot stop a thread safely
 * @param appCarriers carrier threads of each app version's virtual threads (0: one per processor); an app
 *        that keeps them all busy leaves the others and the host their own threads
 * @param appStartTimeout longest wait for an app's {@code onWorkerStart}; a version that takes longer is
 *        refused (the running one keeps serving)
 * @param stallTimeout how long queued work may wait although nothing holds it back (credit there, the
 *        channel writable, no hold), or a client may stay paused for events in flight that are all
 *        handled, before it is reported as a stall (a missed wake-up: a bug)
 * @param maxAppJarBytes all entries of an app jar together, unpacked; a jar past it is refused before
 *        anything in it is loaded (and the jar file itself may be no larger)
 * @param maxAppJarEntryBytes one entry (a class or a resource) of an app jar, unpacked
 * @param maxAppJarEntries entries in an app jar
 * @param maxAppJarRatio how many times its packed size an entry of an app jar may grow when unpacked,
 *        once it is past {@link #APP_JAR_RATIO_FROM_BYTES}
 */
public record Limits(
        int maxFrameBytes,
        int maxMessageBytes,
        int maxHttpHeaderBytes,
        Duration handshakeTimeout,
        int maxSessionBytes,
        int maxPendingOutputBytes,
        int maxConnectionsPerListener,
        int maxWaitingEventsPerClient,
        int maxWaitingClientsPerApp,
        int linkCreditWindow,
        int clientInFlight,
        Duration queryTimeout,
        Duration reloadDrainTimeout,
        Duration leakCheckDelay,
        Duration pingInterval,
        Duration idleTimeout,
        Duration stallTimeout,
        Duration callbackBudget,
        int appCarriers,
        Duration appStartTimeout,
        int maxAppJarBytes,
        int maxAppJarEntryBytes,
        int maxAppJarEntries,
        int maxAppJarRatio) {

    public static final int DEFAULT_MAX_FRAME_BYTES = 64 * 1024;
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024;
    public static final int DEFAULT_MAX_HTTP_HEADER_BYTES = 8 * 1024;
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    public static final int DEFAULT_MAX_SESSION_BYTES = 64 * 1024;
    public static final int DEFAULT_MAX_PENDING_OUTPUT_BYTES = 1024 * 1024;
    public static final int DEFAULT_MAX_CONNECTIONS_PER_LISTENER = 100_000;
    public static final int DEFAULT_MAX_WAITING_EVENTS_PER_CLIENT = 256;
    public static final int DEFAULT_MAX_WAITING_CLIENTS_PER_APP = 10_000;
    /**
     * Large against {@link #DEFAULT_CLIENT_IN_FLIGHT}, so that many clients share it, and small enough
     * that a full window crosses the link in well under a second on a busy machine: everything in the
     * window waits in one line, so its size is the latency a burst can add.
     */
    public static final int DEFAULT_LINK_CREDIT_WINDOW = 8192;
    /** Enough to keep a client's stream flowing through the worker; small against the link's window. */
    public static final int DEFAULT_CLIENT_IN_FLIGHT = 128;
    public static final Duration DEFAULT_QUERY_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_RELOAD_DRAIN_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_LEAK_CHECK_DELAY = Duration.ofSeconds(30);
    /** Below the 30 to 60 s after which proxies and NAT devices commonly drop a silent connection. */
    public static final Duration DEFAULT_PING_INTERVAL = Duration.ofSeconds(25);
    /** Two missed pings and some: a live client has answered by then. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
    /** Far beyond any wait a busy but working server has with its work and its permission both present. */
    public static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofSeconds(5);
    /** Far beyond a database call or a remote request, short enough to notice a loop that never ends. */
    public static final Duration DEFAULT_CALLBACK_BUDGET = Duration.ofSeconds(10);
    /** Room for opening connection pools and warming caches; not for waiting on a service that is down. */
    public static final Duration DEFAULT_APP_START_TIMEOUT = Duration.ofSeconds(30);

    // App jar bounds. What real jars reach: of the 1,071 jars in the local Maven repository this project
    // was first built with (its whole tool chain and every library), the largest unpacks to 17 MiB in
    // all, the largest entry is 1.7 MiB (a native library) and the largest class 0.65 MiB (in
    // kotlin-stdlib), the most entries are 3,134 (byte-buddy), and no entry over 1 MiB grows more than
    // 6.8 times (a plugin.xml). A decompression bomb grows about 1,000 times, deflate's limit. Each
    // default is 15 to 40 times what those real jars need; the whole check of a jar inflates at most
    // DEFAULT_MAX_APP_JAR_BYTES, about a second of one core.

    /**
     * 30 times the largest real jar; an app that carries more than this belongs in a database, not in
     * a class loader (whose classes and resources live in the heap and metaspace of every worker).
     */
    public static final int DEFAULT_MAX_APP_JAR_BYTES = 512 * 1024 * 1024;
    /**
     * 37 times the largest real entry and 100 times the largest real class; room for a large resource
     * such as a dictionary or a small model.
     */
    public static final int DEFAULT_MAX_APP_JAR_ENTRY_BYTES = 64 * 1024 * 1024;
    /**
     * 20 times the most entries of a real jar, and about the most the plain zip format holds (65,535;
     * beyond it, a jar needs zip64, which no app jar has a reason for).
     */
    public static final int DEFAULT_MAX_APP_JAR_ENTRIES = 65_536;
    /**
     * 15 times the highest real ratio of an entry over 1 MiB, and a tenth of what a bomb reaches.
     * Classes pack 2 to 4 times, text 3 to 10 times; only degenerate content (one byte repeated)
     * packs better.
     */
    public static final int DEFAULT_MAX_APP_JAR_RATIO = 100;
    /**
     * The ratio bound applies to entries past this unpacked size only: a small entry costs nothing
     * whatever its ratio (an empty-looking resource, a padded file).
     */
    public static final int APP_JAR_RATIO_FROM_BYTES = 1024 * 1024;

    public Limits {
        positive("maxFrameBytes", maxFrameBytes);
        positive("maxMessageBytes", maxMessageBytes);
        positive("maxHttpHeaderBytes", maxHttpHeaderBytes);
        positive("handshakeTimeout", handshakeTimeout);
        positive("maxSessionBytes", maxSessionBytes);
        positive("maxPendingOutputBytes", maxPendingOutputBytes);
        positive("maxConnectionsPerListener", maxConnectionsPerListener);
        positive("maxWaitingEventsPerClient", maxWaitingEventsPerClient);
        positive("maxWaitingClientsPerApp", maxWaitingClientsPerApp);
        if (linkCreditWindow < 16) {
            throw new IllegalArgumentException("linkCreditWindow: " + linkCreditWindow + " (expected: >= 16)");
        }
        if (clientInFlight < 4) {
            throw new IllegalArgumentException("clientInFlight: " + clientInFlight + " (expected: >= 4)");
        }
        positive("queryTimeout", queryTimeout);
        positive("reloadDrainTimeout", reloadDrainTimeout);
        positive("leakCheckDelay", leakCheckDelay);
        notNegative("pingInterval", pingInterval);
        notNegative("idleTimeout", idleTimeout);
        positive("stallTimeout", stallTimeout);
        positive("callbackBudget", callbackBudget);
        positive("appStartTimeout", appStartTimeout);
        if (appCarriers < 0) {
            throw new IllegalArgumentException("appCarriers: " + appCarriers + " (expected: >= 0)");
        }
        positive("maxAppJarBytes", maxAppJarBytes);
        positive("maxAppJarEntryBytes", maxAppJarEntryBytes);
        positive("maxAppJarEntries", maxAppJarEntries);
        positive("maxAppJarRatio", maxAppJarRatio);
    }

    /** The defaults. */
    public static Limits defaults() {
        return new Limits(DEFAULT_MAX_FRAME_BYTES, DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_MAX_HTTP_HEADER_BYTES,
                DEFAULT_HANDSHAKE_TIMEOUT, DEFAULT_MAX_SESSION_BYTES, DEFAULT_MAX_PENDING_OUTPUT_BYTES,
                DEFAULT_MAX_CONNECTIONS_PER_LISTENER, DEFAULT_MAX_WAITING_EVENTS_PER_CLIENT,
                DEFAULT_MAX_WAITING_CLIENTS_PER_APP, DEFAULT_LINK_CREDIT_WINDOW, DEFAULT_CLIENT_IN_FLIGHT,
                DEFAULT_QUERY_TIMEOUT, DEFAULT_RELOAD_DRAIN_TIMEOUT, DEFAULT_LEAK_CHECK_DELAY,
                DEFAULT_PING_INTERVAL, DEFAULT_IDLE_TIMEOUT, DEFAULT_STALL_TIMEOUT, DEFAULT_CALLBACK_BUDGET, 0,
                DEFAULT_APP_START_TIMEOUT,
                DEFAULT_MAX_APP_JAR_BYTES,
                DEFAULT_MAX_APP_JAR_ENTRY_BYTES, DEFAULT_MAX_APP_JAR_ENTRIES, DEFAULT_MAX_APP_JAR_RATIO);
    }

    /** A copy with another leak check delay. */
    public Limits withLeakCheckDelay(Duration delay) {
        return with(b -> b.leakCheckDelay = delay);
    }

    /** A copy with the changes {@code change} makes to a builder holding these limits. */
    public Limits with(Consumer<Builder> change) {
        Builder b = new Builder(this);
        change.accept(b);
        return b.build();
    }

    /** The fields of {@link Limits}, to change several at once. */
    public static final class Builder {
        public int maxFrameBytes;
        public int maxMessageBytes;
        public int maxHttpHeaderBytes;
        public Duration handshakeTimeout;
        public int maxSessionBytes;
        public int maxPendingOutputBytes;
        public int maxConnectionsPerListener;
        public int maxWaitingEventsPerClient;
        public int maxWaitingClientsPerApp;
        public int linkCreditWindow;
        public int clientInFlight;
        public Duration queryTimeout;
        public Duration reloadDrainTimeout;
        public Duration leakCheckDelay;
        public Duration pingInterval;
        public Duration idleTimeout;
        public Duration stallTimeout;
        public Duration callbackBudget;
        public int appCarriers;
        public Duration appStartTimeout;
        public int maxAppJarBytes;
        public int maxAppJarEntryBytes;
        public int maxAppJarEntries;
        public int maxAppJarRatio;

        Builder(Limits l) {
            maxFrameBytes = l.maxFrameBytes;
            maxMessageBytes = l.maxMessageBytes;
            maxHttpHeaderBytes = l.maxHttpHeaderBytes;
            handshakeTimeout = l.handshakeTimeout;
            maxSessionBytes = l.maxSessionBytes;
            maxPendingOutputBytes = l.maxPendingOutputBytes;
            maxConnectionsPerListener = l.maxConnectionsPerListener;
            maxWaitingEventsPerClient = l.maxWaitingEventsPerClient;
            maxWaitingClientsPerApp = l.maxWaitingClientsPerApp;
            linkCreditWindow = l.linkCreditWindow;
            clientInFlight = l.clientInFlight;
            queryTimeout = l.queryTimeout;
            reloadDrainTimeout = l.reloadDrainTimeout;
            leakCheckDelay = l.leakCheckDelay;
            pingInterval = l.pingInterval;
            idleTimeout = l.idleTimeout;
            stallTimeout = l.stallTimeout;
            callbackBudget = l.callbackBudget;
            appCarriers = l.appCarriers;
            appStartTimeout = l.appStartTimeout;
            maxAppJarBytes = l.maxAppJarBytes;
            maxAppJarEntryBytes = l.maxAppJarEntryBytes;
            maxAppJarEntries = l.maxAppJarEntries;
            maxAppJarRatio = l.maxAppJarRatio;
        }

        Limits build() {
            return new Limits(maxFrameBytes, maxMessageBytes, maxHttpHeaderBytes, handshakeTimeout, maxSessionBytes,
                    maxPendingOutputBytes, maxConnectionsPerListener, maxWaitingEventsPerClient, maxWaitingClientsPerApp,
                    linkCreditWindow, clientInFlight, queryTimeout, reloadDrainTimeout, leakCheckDelay, pingInterval,
                    idleTimeout, stallTimeout, callbackBudget, appCarriers, appStartTimeout,
                    maxAppJarBytes, maxAppJarEntryBytes, maxAppJarEntries, maxAppJarRatio);
        }
    }

    private static void positive(String name, Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
        }
    }

    private static void notNegative(String name, Duration value) {
        if (value.isNegative()) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: >= 0)");
        }
    }

    private static void positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
        }
    }
}
