package io.gatewayworker.host.app;

import java.net.URL;
import java.util.Collections;
import java.util.Enumeration;

/**
 * The parent of every app class loader: it shows an app the Java platform, the plugin API, SLF4J and
 * PF4J, and nothing else of the host (no Netty, no host internals) but {@link Exits}, which the app's
 * rewritten exit calls go to. An app that bundles a library the
 * host also uses gets its own copy.
 *
 * <p>Thread-safe (parallel capable).
 */
final class ApiClassLoader extends ClassLoader {

    /** Packages that always come from the host, whatever an app jar bundles. */
    static final String[] HOST_PACKAGES = {"io.gatewayworker.api.", "org.slf4j.", "org.pf4j."};
    /** The one host class apps see besides those packages. */
    private static final String EXITS = Exits.class.getName();

    static {
        registerAsParallelCapable();
    }

    private final ClassLoader host;

    ApiClassLoader(ClassLoader host) {
        super("gatewayworker-api", ClassLoader.getPlatformClassLoader());
        this.host = host;
    }

    static boolean fromHost(String className) {
        if (className.equals(EXITS)) {
            return true; // what an app's System.exit calls become (ExitRewriter)
        }
        for (String prefix : HOST_PACKAGES) {
            if (className.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (fromHost(name)) {
            return host.loadClass(name);
        }
        return super.loadClass(name, resolve);
    }

    @Override
    protected URL findResource(String name) {
        return null;
    }

    @Override
    protected Enumeration<URL> findResources(String name) {
        return Collections.emptyEnumeration();
    }
}
