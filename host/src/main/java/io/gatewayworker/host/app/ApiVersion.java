package io.gatewayworker.host.app;

import io.gatewayworker.api.Events;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The plugin API version the host provides, and whether an app built against another one can run. An
 * app jar says what it was built against in its manifest ({@code GatewayWorker-Api-Version}; the
 * project's app build writes it). Compatible means: the same major version, and an app minor version
 * not above the host's; before 1.0, the same minor version.
 */
final class ApiVersion {

    static final String MANIFEST_ATTRIBUTE = "GatewayWorker-Api-Version";
    private static final Pattern VERSION = Pattern.compile("(\\d+)\\.(\\d+)(?:\\.(\\d+))?.*");

    private static final String HOST = read();

    private ApiVersion() {
    }

    /** The host's plugin API version, such as "0.1.0-SNAPSHOT". */
    static String host() {
        return HOST;
    }

    /**
     * Null when an app built against {@code appVersion} can run here; otherwise why not. An app that
     * does not say (null) is let through.
     */
    static String incompatibility(String appVersion) {
        if (appVersion == null || appVersion.isBlank()) {
            return null;
        }
        Matcher app = VERSION.matcher(appVersion.trim());
        Matcher host = VERSION.matcher(HOST);
        if (!app.matches() || !host.matches()) {
            return app.matches() ? null : "its " + MANIFEST_ATTRIBUTE + " '" + appVersion + "' is not a version";
        }
        int appMajor = Integer.parseInt(app.group(1));
        int appMinor = Integer.parseInt(app.group(2));
        int hostMajor = Integer.parseInt(host.group(1));
        int hostMinor = Integer.parseInt(host.group(2));
        boolean ok = appMajor == hostMajor && (hostMajor == 0 ? appMinor == hostMinor : appMinor <= hostMinor);
        return ok ? null : "it was built against plugin-api " + appVersion + ", which this host (plugin-api "
                + HOST + ") cannot run; rebuild it against plugin-api " + HOST;
    }

    private static String read() {
        try (InputStream in = Events.class.getResourceAsStream("plugin-api.properties")) {
            if (in == null) {
                return "0.0.0";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "0.0.0");
        } catch (IOException e) {
            return "0.0.0";
        }
    }
}
