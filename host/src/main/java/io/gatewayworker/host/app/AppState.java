package io.gatewayworker.host.app;

/**
 * The life of one loaded version of an app:
 *
 * <pre>
 *   LOADED ──onWorkerStart──► RUNNING ──► STOPPING ──onWorkerStop──► STOPPED (class loader closed)
 *     │                                                                 ▲
 *     └──────── load or onWorkerStart failed ───► FAILED ───────────────┘ (unloaded)
 * </pre>
 */
public enum AppState {
    /** Classes loaded, extension found; {@code onWorkerStart} not yet returned. */
    LOADED,
    /** Started; takes events. */
    RUNNING,
    /** No longer takes events; finishing its last callbacks, then {@code onWorkerStop}. */
    STOPPING,
    /** Stopped and unloaded. */
    STOPPED,
    /** Refused: loading or {@code onWorkerStart} failed. The reason is kept. */
    FAILED
}
