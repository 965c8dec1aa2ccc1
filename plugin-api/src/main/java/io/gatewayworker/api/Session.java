package io.gatewayworker.api;

import java.util.Map;

/**
 * The data a server keeps for one client between events, like GatewayWorker's {@code $_SESSION}: string
 * keys to plain values.
 *
 * <p>Values may be {@code String}, {@code Integer}, {@code Long}, {@code Double}, {@code Float},
 * {@code Boolean}, {@code byte[]}, {@code null}, and {@code List}s and {@code Map}s (with string keys) of
 * these. Each value comes back with the type it was stored with. Any other type is refused with a
 * {@link GatewayException} when the session is written back.
 *
 * <p>The session lives on the client's gateway; each event brings the latest copy, and what a callback
 * changes is written back after it returns (only when something changed). A session has a size limit
 * (64 KiB encoded by default); a change that exceeds it is not saved and is logged.
 *
 * <p>A {@code Session} object belongs to the callback it was given to and is not thread-safe.
 */
public interface Session extends Map<String, Object> {

    /**
     * Returns the value of {@code key} as a string.
     *
     * @param key the key
     * @return the value, or {@code null} when the key is absent or holds {@code null}
     * @throws ClassCastException when the value is not a string
     */
    default String getString(String key) {
        return (String) get(key);
    }

    /**
     * Returns the value of {@code key} as a {@code long}, widening an {@code Integer}.
     *
     * @param key the key
     * @param defaultValue returned when the key is absent or holds {@code null}
     * @return the value
     * @throws ClassCastException when the value is not an integer number
     */
    default long getLong(String key, long defaultValue) {
        Object value = get(key);
        if (value == null) {
            return defaultValue;
        }
        if (value instanceof Integer || value instanceof Long) {
            return ((Number) value).longValue();
        }
        throw new ClassCastException("session value '" + key + "' is a " + value.getClass().getSimpleName()
                + ", not an integer number");
    }

    /**
     * Returns the value of {@code key} as a {@code boolean}.
     *
     * @param key the key
     * @param defaultValue returned when the key is absent or holds {@code null}
     * @return the value
     * @throws ClassCastException when the value is not a boolean
     */
    default boolean getBoolean(String key, boolean defaultValue) {
        Object value = get(key);
        return value == null ? defaultValue : (Boolean) value;
    }
}
