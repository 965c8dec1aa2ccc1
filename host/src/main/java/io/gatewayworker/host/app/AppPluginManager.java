package io.gatewayworker.host.app;

import java.nio.file.Path;
import org.pf4j.DefaultPluginManager;
import org.pf4j.JarPluginLoader;
import org.pf4j.PluginClassLoader;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginLoader;

/**
 * A PF4J manager for exactly one loaded version of one app. One manager per version lets two versions
 * of an app be loaded side by side during a reload, which one PF4J manager cannot do.
 *
 * <p>Not thread-safe, like every PF4J manager: only {@link AppManager}'s owner thread touches it.
 */
final class AppPluginManager extends DefaultPluginManager {

    private final ApiClassLoader apiLoader;

    AppPluginManager(Path root, ApiClassLoader apiLoader) {
        super(root);
        this.apiLoader = apiLoader;
    }

    @Override
    protected PluginLoader createPluginLoader() {
        return new JarPluginLoader(this) {
            @Override
            protected PluginClassLoader createPluginClassLoader(Path pluginPath, PluginDescriptor descriptor) {
                return new AppClassLoader(pluginManager, descriptor, apiLoader);
            }
        };
    }
}
