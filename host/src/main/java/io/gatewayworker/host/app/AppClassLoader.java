package io.gatewayworker.host.app;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.security.CodeSigner;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import org.pf4j.PluginClassLoader;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginManager;

/**
 * The class loader of one loaded version of an app. It looks in the app's jar first, except for the
 * packages of {@link ApiClassLoader#HOST_PACKAGES}, which always come from the host: an app jar that
 * bundles a copy of the plugin API still implements the host's {@code Events}.
 *
 * <p>As it defines each class of the app, it has {@link ExitRewriter} turn calls that would end the
 * process ({@code System.exit}, {@code Runtime.exit}, {@code Runtime.halt}) into refusals.
 *
 * <p>Thread-safe (parallel capable), as its parent.
 */
final class AppClassLoader extends PluginClassLoader {

    static {
        registerAsParallelCapable();
    }

    private final String app;

    AppClassLoader(PluginManager manager, PluginDescriptor descriptor, ApiClassLoader parent) {
        super(manager, descriptor, parent);
        this.app = descriptor.getPluginId() + " " + descriptor.getVersion();
    }

    /** "chat 1.0.0": the app and version whose classes this loads. */
    String app() {
        return app;
    }

    @Override
    protected boolean shouldDelegateToParent(String className) {
        return ApiClassLoader.fromHost(className);
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        URL url = findResource(name.replace('.', '/') + ".class");
        if (url == null) {
            throw new ClassNotFoundException(name);
        }
        byte[] original;
        try (InputStream in = url.openStream()) {
            original = in.readAllBytes(); // bounded: the jar passed the size checks before it was loaded
        } catch (IOException e) {
            throw new ClassNotFoundException(name + " cannot be read from the jar of app " + app + ": " + e, e);
        }
        byte[] rewritten;
        try {
            rewritten = ExitRewriter.rewrite(original);
        } catch (RuntimeException e) {
            throw new ClassNotFoundException(name + " of app " + app + " is not a valid class file: " + e, e);
        }
        if (rewritten == null) {
            return super.findClass(name); // unchanged: URLClassLoader defines it, packages and all
        }
        definePackageOf(name);
        return defineClass(name, rewritten, 0, rewritten.length,
                new ProtectionDomain(new CodeSource(jarOf(url), (CodeSigner[]) null), null, this, null));
    }

    private void definePackageOf(String className) {
        int dot = className.lastIndexOf('.');
        if (dot > 0) {
            String pkg = className.substring(0, dot);
            if (getDefinedPackage(pkg) == null) {
                try {
                    definePackage(pkg, null, null, null, null, null, null, null);
                } catch (IllegalArgumentException raced) {
                    // another thread defined it meanwhile
                }
            }
        }
    }

    /** The jar a {@code jar:file:...!/x.class} URL points into. */
    private URL jarOf(URL classUrl) {
        URL[] urls = getURLs();
        return urls.length > 0 ? urls[0] : classUrl;
    }
}
