package io.gatewayworker.api;

/**
 * What an app receives when it starts: its gateway, its timers and its identity. Given to
 * {@link Events#onWorkerStart(AppContext)} and {@link Events#onWorkerStop(AppContext)}; keep it for
 * the app's lifetime.
 */
public interface AppContext {

    /**
     * The app's gateway: push to its clients, close them.
     *
     * @return the gateway
     */
    Gateway gateway();

    /**
     * The app's timers: periodic and delayed tasks, cancelled when the app stops.
     *
     * @return the timers
     */
    Timers timers();

    /**
     * The app id: the {@code Plugin-Id} of its jar.
     *
     * @return the app id
     */
    String appId();

    /**
     * The version of the app that runs: the {@code Plugin-Version} of its jar.
     *
     * @return the version
     */
    String version();
}
