package io.signalbus.json;

import java.lang.annotation.Annotation;
import java.lang.reflect.Constructor;
import java.lang.reflect.Parameter;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.AnnotationIntrospector;
import tools.jackson.databind.cfg.MapperConfig;
import tools.jackson.databind.introspect.AnnotatedMember;
import tools.jackson.databind.introspect.AnnotatedParameter;
import tools.jackson.databind.introspect.NopAnnotationIntrospector;

/**
 * Makes every component of a record required when data is bound to it, unless it is marked
 * {@code @Nullable} (any annotation of that simple name, declaration or type use) or is an
 * {@code Optional}: a component absent from the data is then a conversion error ("Missing required
 * creator property"), not a null that a handler acks. An explicit {@code null} in the data is still
 * bound as null. Other members are left to the introspectors it is paired with.
 */
final class RequiredComponents extends NopAnnotationIntrospector {

    private static final long serialVersionUID = 1L;

    /** {@code mapper}'s introspector with this one in front, unless it already has it. */
    static AnnotationIntrospector pairedWith(AnnotationIntrospector existing) {
        for (AnnotationIntrospector introspector : existing.allIntrospectors()) {
            if (introspector instanceof RequiredComponents) {
                return existing;
            }
        }
        return AnnotationIntrospector.pair(new RequiredComponents(), existing);
    }

    @Override
    public @Nullable Boolean hasRequiredMarker(MapperConfig<?> config, AnnotatedMember member) {
        if (!(member instanceof AnnotatedParameter parameter)
                || !(parameter.getOwner().getAnnotated() instanceof Constructor<?> constructor)
                || !constructor.getDeclaringClass().isRecord()) {
            return null;
        }
        Parameter reflected = constructor.getParameters()[parameter.getIndex()];
        Class<?> type = reflected.getType();
        if (type == Optional.class || type == OptionalInt.class || type == OptionalLong.class
                || type == OptionalDouble.class || isNullable(reflected.getAnnotations())
                || isNullable(reflected.getAnnotatedType().getAnnotations())) {
            return null;
        }
        return Boolean.TRUE;
    }

    private static boolean isNullable(Annotation[] annotations) {
        for (Annotation annotation : annotations) {
            if (annotation.annotationType().getSimpleName().equals("Nullable")) {
                return true;
            }
        }
        return false;
    }
}
