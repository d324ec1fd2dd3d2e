package dev.npc.host;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.reflect.RecordComponent;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * The records of state.json and desired.json write their equals out (see HostState#equals): each
 * must still tell apart two values that differ in any one component, a component added later too.
 */
class HostStateEqualityTest {
    @ParameterizedTest
    @ValueSource(classes = {HostState.class, HostState.DesiredRef.class, HostState.Current.class,
            HostState.Attempt.class, HostState.Paused.class, HostState.Waiting.class, HostState.Reboot.class,
            Desired.class})
    void equalsSeesEveryComponent(Class<?> type) throws Exception {
        Object base = build(type, -1);
        assertEquals(base, build(type, -1));
        assertEquals(base.hashCode(), build(type, -1).hashCode());
        RecordComponent[] components = type.getRecordComponents();
        for (int i = 0; i < components.length; i++) {
            Object changed = build(type, i);
            assertNotEquals(base, changed, type.getSimpleName() + " equals ignores " + components[i].getName());
            assertNotEquals(changed, base, type.getSimpleName() + " equals ignores " + components[i].getName());
        }
    }

    /** A value of {@code type} with every component set; component {@code changed} (if any) set otherwise. */
    private static Object build(Class<?> type, int changed) throws Exception {
        RecordComponent[] components = type.getRecordComponents();
        Class<?>[] types = new Class<?>[components.length];
        Object[] values = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
            types[i] = components[i].getType();
            values[i] = value(types[i], i == changed);
        }
        return type.getDeclaredConstructor(types).newInstance(values);
    }

    private static Object value(Class<?> type, boolean other) throws Exception {
        if (type == String.class) {
            return other ? "b" : "a";
        }
        if (type == Instant.class) {
            return Instant.EPOCH.plusSeconds(other ? 1 : 0);
        }
        if (type == int.class || type == Integer.class) {
            return other ? 2 : 1;
        }
        if (type == boolean.class || type == Boolean.class) {
            return other;
        }
        if (type == List.class) {
            return List.of(other ? "b" : "a");
        }
        if (type.isEnum()) {
            return type.getEnumConstants()[other ? 1 : 0];
        }
        if (type.isRecord()) {
            // Another value of a nested record: its first component changed.
            return build(type, other ? 0 : -1);
        }
        throw new AssertionError("no test values for a component of type " + type.getName() + "; add them here");
    }
}
