package io.gatewayworker.host.worker;

import io.gatewayworker.api.Session;
import io.gatewayworker.host.link.SessionCodec;
import java.util.LinkedHashMap;

/**
 * The {@link Session} a callback sees: a plain map decoded from the gateway's copy. After the callback
 * it is encoded again and compared with the copy it came from, so any change, nested ones included, is
 * written back.
 *
 * <p>Confined to the callback's thread.
 */
final class SessionMap extends LinkedHashMap<String, Object> implements Session {

    private static final long serialVersionUID = 1L;

    SessionMap(io.gatewayworker.proto.link.v1.Session source) {
        super(SessionCodec.decode(source));
    }
}
