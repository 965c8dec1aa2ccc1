package io.gatewayworker.host.app;

import org.pf4j.PluginClassLoader;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginManager;

/**
 * The class loader of one loaded version of an app. It looks in the app's jar first, except for the
 * packages of {@link ApiClassLoader#HOST_PACKAGES}, which always come from the host: an app jar that
 * bundles a copy of the plugin API still implements the host's {@code Events}.
 */
final class AppClassLoader extends PluginClassLoader {

    static {
        registerAsParallelCapable();
    }

    AppClassLoader(PluginManager manager, PluginDescriptor descriptor, ApiClassLoader parent) {
        super(manager, descriptor, parent);
    }

    @Override
    protected boolean shouldDelegateToParent(String className) {
        return ApiClassLoader.fromHost(className);
    }
}
