package io.gatewayworker.host.worker;

import io.gatewayworker.api.Handshake;
import io.gatewayworker.proto.link.v1.Header;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@link Handshake} given to {@code onWebSocketConnect}: the upgrade request as the gateway
 * received it, and the app's verdict.
 *
 * <p>Confined to the callback's thread.
 */
final class HandshakeView implements Handshake {

    private static final int MAX_REASON_BYTES = 123;

    private final io.gatewayworker.proto.link.v1.Handshake request;
    private Map<String, List<String>> query;
    private Map<String, List<String>> headers;
    private boolean refused;
    private int code;
    private String reason = "";

    HandshakeView(io.gatewayworker.proto.link.v1.Handshake request) {
        this.request = request;
    }

    @Override
    public String path() {
        return request.getPath();
    }

    @Override
    public String query() {
        return request.getQuery();
    }

    @Override
    public Map<String, List<String>> queryParameters() {
        if (query == null) {
            query = decodeQuery(request.getQuery());
        }
        return query;
    }

    @Override
    public Map<String, List<String>> headers() {
        if (headers == null) {
            Map<String, List<String>> map = new LinkedHashMap<>();
            for (Header h : request.getHeadersList()) {
                map.computeIfAbsent(h.getName(), k -> new ArrayList<>(1)).add(h.getValue());
            }
            map.replaceAll((k, v) -> List.copyOf(v));
            headers = Collections.unmodifiableMap(map);
        }
        return headers;
    }

    @Override
    public void refuse(int code, String reason) {
        if (code != 1000 && code != 1008 && (code < 3000 || code > 4999)) {
            throw new IllegalArgumentException("close code: " + code + " (expected: 1000, 1008 or 3000-4999)");
        }
        String text = reason == null ? "" : reason;
        if (text.getBytes(StandardCharsets.UTF_8).length > MAX_REASON_BYTES) {
            throw new IllegalArgumentException("close reason: " + text.getBytes(StandardCharsets.UTF_8).length
                    + " bytes (expected: at most " + MAX_REASON_BYTES + " bytes in UTF-8)");
        }
        this.refused = true;
        this.code = code;
        this.reason = text;
    }

    /** The server refuses the client (the callback threw): 1011. */
    void refuseAfterError() {
        refused = true;
        code = 1011;
        reason = "server error";
    }

    @Override
    public boolean refused() {
        return refused;
    }

    int code() {
        return code;
    }

    String reason() {
        return reason;
    }

    static Map<String, List<String>> decodeQuery(String raw) {
        if (raw == null || raw.isEmpty()) {
            return Map.of();
        }
        Map<String, List<String>> map = new LinkedHashMap<>();
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            map.computeIfAbsent(name, k -> new ArrayList<>(1)).add(value);
        }
        map.replaceAll((k, v) -> List.copyOf(v));
        return Collections.unmodifiableMap(map);
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s; // malformed %-escape: keep the raw text
        }
    }
}
