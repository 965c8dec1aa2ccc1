package io.gatewayworker.host.config;

import io.gatewayworker.api.Nullable;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * One public listener: a protocol on a host and port, serving one app.
 *
 * <p>Written {@code [app=]scheme://host:port}, for example {@code ws://127.0.0.1:7272} or
 * {@code chat=ws://0.0.0.0:7272}. Port 0 lets the system pick a free port. Without an app, the listener
 * belongs to the only app installed, or to {@value #DEFAULT_APP} when there are several.
 *
 * @param scheme the protocol: {@code ws} (WebSocket) for now
 * @param host the address to bind (IPv4 or IPv6 literal, or a name)
 * @param port the port; 0 picks one
 * @param app the app's id, or null for "the only app"
 */
public record ListenerConfig(String scheme, String host, int port, @Nullable String app) {

    /** The app of a listener without one, when several apps are installed. */
    public static final String DEFAULT_APP = "chat";

    /** The default listener: WebSocket on 127.0.0.1:7272. */
    public static final ListenerConfig DEFAULT = new ListenerConfig("ws", "127.0.0.1", 7272, null);

    public ListenerConfig {
        scheme = scheme.toLowerCase(Locale.ROOT);
        if (!scheme.equals("ws")) {
            throw new IllegalArgumentException("listener scheme: '" + scheme + "' (expected: ws)");
        }
        if (port < 0 || port > 0xFFFF) {
            throw new IllegalArgumentException("listener port: " + port + " (expected: 0-65535)");
        }
        if (app != null && app.isBlank()) {
            app = null;
        }
    }

    /**
     * Parses {@code [app=]scheme://host:port}.
     *
     * @throws IllegalArgumentException naming the text and the expected form
     */
    public static ListenerConfig parse(String text) {
        String app = null;
        String url = text.trim();
        int eq = url.indexOf('=');
        int scheme = url.indexOf("://");
        if (eq > 0 && (scheme < 0 || eq < scheme)) {
            app = url.substring(0, eq);
            url = url.substring(eq + 1);
        }
        try {
            URI uri = new URI(url);
            if (uri.getScheme() == null || uri.getHost() == null || uri.getPort() < 0) {
                throw new IllegalArgumentException("listener: '" + text + "' (expected: [app=]ws://host:port, like ws://127.0.0.1:7272)");
            }
            String host = uri.getHost();
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            return new ListenerConfig(uri.getScheme(), host, uri.getPort(), app);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("listener: '" + text + "' (expected: [app=]ws://host:port, like ws://127.0.0.1:7272)");
        }
    }

    /** The protocol name apps see in {@code Client.protocol()}. */
    public String protocol() {
        return "websocket";
    }

    /** "ws://127.0.0.1:7272". */
    public String url() {
        return scheme + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
