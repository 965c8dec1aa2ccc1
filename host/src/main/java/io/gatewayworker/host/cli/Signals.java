package io.gatewayworker.host.cli;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Handles SIGTERM and SIGINT explicitly, so that a stop by signal is a graceful stop that exits with
 * status 0 (a JVM left to its defaults exits with 143 on SIGTERM). Uses {@code sun.misc.Signal}
 * through reflection: it is in {@code jdk.unsupported}, present in every JDK, and this keeps the build
 * free of proprietary-API warnings. Where it is missing, the JVM's shutdown hooks still stop the host.
 */
final class Signals {

    private static final Logger log = LoggerFactory.getLogger(Signals.class);

    private Signals() {
    }

    /** Runs {@code action} (on a signal thread) when one of {@code names} ("TERM", "INT") arrives. */
    static void handle(Runnable action, String... names) {
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> handler = Class.forName("sun.misc.SignalHandler");
            Object proxy = Proxy.newProxyInstance(Signals.class.getClassLoader(), new Class<?>[] {handler},
                    new InvocationHandler() {
                        @Override
                        public Object invoke(Object self, Method method, Object[] args) {
                            if (method.getName().equals("handle")) {
                                action.run();
                                return null;
                            }
                            return switch (method.getName()) {
                                case "hashCode" -> System.identityHashCode(self);
                                case "equals" -> self == args[0];
                                default -> "SignalHandler";
                            };
                        }
                    });
            Method handle = signal.getMethod("handle", signal, handler);
            for (String name : names) {
                try {
                    handle.invoke(null, signal.getConstructor(String.class).newInstance(name), proxy);
                } catch (ReflectiveOperationException | RuntimeException e) {
                    // e.g. SIGINT ignored by the parent shell (a background job): the JVM refuses it.
                    log.debug("Not handling SIG{}: {}", name, e.toString());
                }
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.debug("Signal handling unavailable: {}", e.toString());
        }
    }
}
