package io.gatewayworker.host.link;

import com.google.protobuf.ByteString;
import io.gatewayworker.api.GatewayException;
import io.gatewayworker.proto.link.v1.Session;
import io.gatewayworker.proto.link.v1.Value;
import io.gatewayworker.proto.link.v1.ValueList;
import io.gatewayworker.proto.link.v1.ValueMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Converts sessions between the Java values an app puts in them and the {@link Session} message that
 * travels on links and is kept by gateways. Stateless; any thread.
 *
 * <p>Supported values: {@code String}, {@code Integer}, {@code Long}, {@code Double}, {@code Float},
 * {@code Boolean}, {@code byte[]}, {@code null}, and {@code List}s and string-keyed {@code Map}s of
 * these, nested at most {@value #MAX_DEPTH} deep. Each value decodes to the type it was encoded from;
 * lists and maps decode to mutable {@code ArrayList} and {@code LinkedHashMap}.
 */
public final class SessionCodec {

    /** How deeply lists and maps may nest. */
    public static final int MAX_DEPTH = 32;

    private SessionCodec() {
    }

    /**
     * Encodes a session map.
     *
     * @throws GatewayException naming the key and the type when a value is not supported
     */
    public static Session encode(Map<String, ?> values) {
        Session.Builder session = Session.newBuilder();
        for (Map.Entry<String, ?> e : values.entrySet()) {
            session.putValues(checkKey(e.getKey(), ""), encodeValue(e.getValue(), e.getKey(), 0));
        }
        return session.build();
    }

    /** Decodes a session into a new mutable map. */
    public static Map<String, Object> decode(Session session) {
        Map<String, Object> out = new LinkedHashMap<>(Math.max(4, session.getValuesCount() * 2));
        for (Map.Entry<String, Value> e : session.getValuesMap().entrySet()) {
            out.put(e.getKey(), decodeValue(e.getValue()));
        }
        return out;
    }

    /** Encodes one value; {@code path} names it in error messages. */
    public static Value encodeValue(Object value, String path, int depth) {
        if (depth > MAX_DEPTH) {
            throw new GatewayException("session value '" + path + "' nests deeper than " + MAX_DEPTH + " levels");
        }
        Value.Builder v = Value.newBuilder();
        if (value == null) {
            v.setNullValue(true);
        } else if (value instanceof String s) {
            v.setStringValue(s);
        } else if (value instanceof Integer i) {
            v.setIntValue(i);
        } else if (value instanceof Long l) {
            v.setLongValue(l);
        } else if (value instanceof Double d) {
            v.setDoubleValue(d);
        } else if (value instanceof Float f) {
            v.setFloatValue(f);
        } else if (value instanceof Boolean b) {
            v.setBoolValue(b);
        } else if (value instanceof byte[] bytes) {
            v.setBytesValue(ByteString.copyFrom(bytes));
        } else if (value instanceof List<?> list) {
            ValueList.Builder items = ValueList.newBuilder();
            for (int i = 0; i < list.size(); i++) {
                items.addValues(encodeValue(list.get(i), path + "[" + i + "]", depth + 1));
            }
            v.setListValue(items);
        } else if (value instanceof Map<?, ?> map) {
            ValueMap.Builder entries = ValueMap.newBuilder();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!(e.getKey() instanceof String key)) {
                    throw new GatewayException("session value '" + path + "' is a map with a key of type "
                            + typeName(e.getKey()) + " (expected: String keys)");
                }
                entries.putValues(checkKey(key, path), encodeValue(e.getValue(), path + "." + key, depth + 1));
            }
            v.setMapValue(entries);
        } else {
            throw new GatewayException("session value '" + path + "' has type " + value.getClass().getName()
                    + " (expected: String, Integer, Long, Double, Float, Boolean, byte[], null, or a List or Map of these)");
        }
        return v.build();
    }

    /** Decodes one value into the type it was encoded from. */
    public static Object decodeValue(Value value) {
        return switch (value.getKindCase()) {
            case STRING_VALUE -> value.getStringValue();
            case INT_VALUE -> value.getIntValue();
            case LONG_VALUE -> value.getLongValue();
            case DOUBLE_VALUE -> value.getDoubleValue();
            case FLOAT_VALUE -> value.getFloatValue();
            case BOOL_VALUE -> value.getBoolValue();
            case BYTES_VALUE -> value.getBytesValue().toByteArray();
            case LIST_VALUE -> {
                List<Object> list = new ArrayList<>(value.getListValue().getValuesCount());
                for (Value item : value.getListValue().getValuesList()) {
                    list.add(decodeValue(item));
                }
                yield list;
            }
            case MAP_VALUE -> {
                Map<String, Object> map = new LinkedHashMap<>();
                for (Map.Entry<String, Value> e : value.getMapValue().getValuesMap().entrySet()) {
                    map.put(e.getKey(), decodeValue(e.getValue()));
                }
                yield map;
            }
            case NULL_VALUE, KIND_NOT_SET -> null;
        };
    }

    private static String checkKey(String key, String path) {
        if (key == null) {
            throw new GatewayException("session " + (path.isEmpty() ? "" : "value '" + path + "' ") + "has a null key");
        }
        return key;
    }

    private static String typeName(Object o) {
        return o == null ? "null" : o.getClass().getName();
    }
}
