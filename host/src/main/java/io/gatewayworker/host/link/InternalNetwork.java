package io.gatewayworker.host.link;

import io.gatewayworker.host.config.ClusterConfig;
import io.gatewayworker.host.transport.EventLoops;
import io.gatewayworker.host.transport.InternalAddress;
import io.gatewayworker.host.transport.Transport;
import java.net.SocketAddress;
import java.util.Objects;

/**
 * How the roles of this process reach each other and the rest of the cluster: a link to a role that runs
 * in this JVM goes over Netty's in-JVM transport (no socket, no encoding), any other over TCP with the
 * cluster's authentication and heartbeat. One code path, two transports: the handlers are the same.
 *
 * <p>In-JVM endpoints are named after the internal address the role has on TCP, within a namespace of
 * this host's own, so that several hosts in one JVM (tests) keep apart.
 *
 * <p>Thread-safe: the local gateway's address is published once it is bound.
 */
public final class InternalNetwork {

    /** Where a link goes and how. */
    public record Target(Transport transport, SocketAddress address) {
    }

    private final EventLoops loops;
    private final String namespace;
    private final ClusterConfig cluster;
    private volatile InternalAddress localRegister;
    private volatile InternalAddress localGateway;

    public InternalNetwork(EventLoops loops, String namespace, ClusterConfig cluster) {
        this.loops = loops;
        this.namespace = namespace;
        this.cluster = cluster;
    }

    public EventLoops loops() {
        return loops;
    }

    public ClusterConfig cluster() {
        return cluster;
    }

    /** This JVM runs the register that the cluster knows as {@code address}. */
    public void registerHere(InternalAddress address) {
        this.localRegister = address;
    }

    /** This JVM runs the gateway that the cluster knows as {@code advertised}. */
    public void gatewayHere(InternalAddress advertised) {
        this.localGateway = advertised;
    }

    /** The in-JVM endpoint of a role of this process. */
    public SocketAddress local(String role, InternalAddress address) {
        return address.socketAddress(Transport.LOCAL, namespace, role);
    }

    /** How to reach the register at {@code address}. */
    public Target register(InternalAddress address) {
        return Objects.equals(address, localRegister) ? new Target(Transport.LOCAL, local("register", address))
                : new Target(Transport.TCP, address.socketAddress(Transport.TCP, namespace, "register"));
    }

    /** How to reach the gateway that announces {@code address}. */
    public Target gateway(InternalAddress address) {
        return Objects.equals(address, localGateway) ? new Target(Transport.LOCAL, local("gateway", address))
                : new Target(Transport.TCP, address.socketAddress(Transport.TCP, namespace, "gateway"));
    }

    /** The TCP settings of a link: authentication and heartbeat; {@code what} names it in log lines. */
    public LinkInitializer.Tcp tcp(boolean accepting, String what) {
        return new LinkInitializer.Tcp(accepting, cluster, what);
    }
}
