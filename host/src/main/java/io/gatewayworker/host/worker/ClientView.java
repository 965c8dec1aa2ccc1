package io.gatewayworker.host.worker;

import io.gatewayworker.api.Client;
import io.gatewayworker.api.Session;
import io.gatewayworker.host.link.SessionCodec;
import io.gatewayworker.proto.link.v1.ClientInfo;

/**
 * The {@link Client} given to one callback. The session is decoded only if the callback asks for it,
 * and only then compared afterwards.
 *
 * <p>Confined to the callback's thread.
 */
final class ClientView implements Client {

    private final String id;
    private final ClientInfo info;
    private final io.gatewayworker.proto.link.v1.Session source;
    private final boolean redelivered;
    private SessionMap session;

    ClientView(String id, ClientInfo info, io.gatewayworker.proto.link.v1.Session source, boolean redelivered) {
        this.id = id;
        this.info = info;
        this.source = source;
        this.redelivered = redelivered;
    }

    @Override
    public boolean redelivered() {
        return redelivered;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String remoteHost() {
        return info.getRemoteHost();
    }

    @Override
    public int remotePort() {
        return info.getRemotePort();
    }

    @Override
    public String listener() {
        return info.getListener();
    }

    @Override
    public String protocol() {
        return info.getProtocol();
    }

    /** The view of the callback running on this thread, or null: set by the dispatcher around callbacks. */
    static final ThreadLocal<ClientView> CURRENT = new ThreadLocal<>();

    @Override
    public Session session() {
        if (session == null) {
            session = new SessionMap(source);
        }
        return session;
    }

    /**
     * The session as the callback left it, when it differs from the one it started with; otherwise
     * null. Throws {@code GatewayException} when a value cannot be stored.
     */
    io.gatewayworker.proto.link.v1.Session changedSession() {
        if (session == null) {
            return null;
        }
        io.gatewayworker.proto.link.v1.Session after = SessionCodec.encode(session);
        return after.equals(source) ? null : after;
    }

    @Override
    public String toString() {
        return id;
    }
}
