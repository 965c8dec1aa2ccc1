package io.gatewayworker.host.config;

import io.gatewayworker.host.transport.InternalAddress;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * What one host runs and where.
 *
 * @param listeners the gateway's public listeners
 * @param pluginsDir the folder of app jars
 * @param dataDir where the host keeps its files (loaded copies of app jars)
 * @param roles the roles this process runs
 * @param registerAddresses the registers' internal addresses; a process that runs the register binds the
 *        first one
 * @param gatewayAddress where the gateway's internal port binds
 * @param gatewayAdvertise the address the gateway announces and encodes in its client ids (behind NAT or
 *        in a container it differs from the bind address); null: the bind address
 * @param cluster the secret links authenticate with, heartbeats and the lease of a lost gateway's clients
 * @param ioThreads network threads; 0 means one per processor
 * @param workerName the BusinessWorker's name in logs
 * @param limits every bound
 * @param watchPlugins whether a change of the plugins folder adds, reloads or removes apps
 * @param controlPort the loopback port of the control endpoint; 0 picks a free one
 */
public record HostConfig(
        Set<HostRole> roles,
        List<ListenerConfig> listeners,
        Path pluginsDir,
        Path dataDir,
        List<InternalAddress> registerAddresses,
        InternalAddress gatewayAddress,
        InternalAddress gatewayAdvertise,
        ClusterConfig cluster,
        int ioThreads,
        String workerName,
        Limits limits,
        boolean watchPlugins,
        int controlPort) {

    /** Register default address, as GatewayWorker's. */
    public static final InternalAddress DEFAULT_REGISTER = new InternalAddress("127.0.0.1", 1236);
    /** Gateway default internal address, as GatewayWorker's demo. */
    public static final InternalAddress DEFAULT_GATEWAY = new InternalAddress("127.0.0.1", 2300);

    public HostConfig {
        roles = Set.copyOf(roles);
        if (roles.isEmpty()) {
            throw new IllegalArgumentException("roles: none (expected: register, gateway and/or worker)");
        }
        listeners = List.copyOf(listeners);
        Objects.requireNonNull(pluginsDir, "pluginsDir");
        Objects.requireNonNull(dataDir, "dataDir");
        registerAddresses = List.copyOf(registerAddresses);
        if (registerAddresses.isEmpty()) {
            throw new IllegalArgumentException("register.address: none (expected: at least one ip:port)");
        }
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(gatewayAddress, "gatewayAddress");
        Objects.requireNonNull(limits, "limits");
        if (controlPort < 0 || controlPort > 0xFFFF) {
            throw new IllegalArgumentException("controlPort: " + controlPort + " (expected: 0-65535)");
        }
        if (ioThreads < 0) {
            throw new IllegalArgumentException("ioThreads: " + ioThreads + " (expected: >= 0)");
        }
    }

    /** The defaults: one WebSocket listener on 127.0.0.1:7272, apps from {@code plugins/}, data in {@code data/}. */
    public static HostConfig defaults() {
        return new HostConfig(EnumSet.allOf(HostRole.class), List.of(ListenerConfig.DEFAULT), Path.of("plugins"),
                Path.of("data"), List.of(DEFAULT_REGISTER), DEFAULT_GATEWAY, null, ClusterConfig.defaults(), 0, "worker-1",
                Limits.defaults(), true, 0);
    }

    /** Whether this process runs {@code role}. */
    public boolean runs(HostRole role) {
        return roles.contains(role);
    }

    /** The first register address: the one a process running the register binds. */
    public InternalAddress registerAddress() {
        return registerAddresses.get(0);
    }

    /** What the gateway announces and encodes in client ids: {@link #gatewayAdvertise()}, else the bind address. */
    public InternalAddress gatewayAdvertised() {
        return gatewayAdvertise != null ? gatewayAdvertise : gatewayAddress;
    }

    public HostConfig withListeners(List<ListenerConfig> listeners) {
        return with(b -> b.listeners = listeners);
    }

    public HostConfig withPluginsDir(Path pluginsDir) {
        return with(b -> b.pluginsDir = pluginsDir);
    }

    public HostConfig withDataDir(Path dataDir) {
        return with(b -> b.dataDir = dataDir);
    }

    public HostConfig withIoThreads(int ioThreads) {
        return with(b -> b.ioThreads = ioThreads);
    }

    public HostConfig withLimits(Limits limits) {
        return with(b -> b.limits = limits);
    }

    public HostConfig withWatchPlugins(boolean watchPlugins) {
        return with(b -> b.watchPlugins = watchPlugins);
    }

    /** A copy with the changes {@code change} makes to a builder holding this configuration. */
    public HostConfig with(Consumer<Builder> change) {
        Builder b = new Builder(this);
        change.accept(b);
        return b.build();
    }

    /** The fields of a {@link HostConfig}, to change several at once. */
    public static final class Builder {
        public Set<HostRole> roles;
        public List<ListenerConfig> listeners;
        public Path pluginsDir;
        public Path dataDir;
        public List<InternalAddress> registerAddresses;
        public InternalAddress gatewayAddress;
        public InternalAddress gatewayAdvertise;
        public ClusterConfig cluster;
        public int ioThreads;
        public String workerName;
        public Limits limits;
        public boolean watchPlugins;
        public int controlPort;

        Builder(HostConfig c) {
            roles = c.roles;
            listeners = c.listeners;
            pluginsDir = c.pluginsDir;
            dataDir = c.dataDir;
            registerAddresses = c.registerAddresses;
            gatewayAddress = c.gatewayAddress;
            gatewayAdvertise = c.gatewayAdvertise;
            cluster = c.cluster;
            ioThreads = c.ioThreads;
            workerName = c.workerName;
            limits = c.limits;
            watchPlugins = c.watchPlugins;
            controlPort = c.controlPort;
        }

        HostConfig build() {
            return new HostConfig(roles, listeners, pluginsDir, dataDir, registerAddresses, gatewayAddress, gatewayAdvertise,
                    cluster, ioThreads, workerName, limits, watchPlugins, controlPort);
        }
    }
}
