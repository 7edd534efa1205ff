package io.signalbus.spring;

import io.signalbus.DataConversionException;
import io.signalbus.Delivery;
import io.signalbus.Signal;
import io.signalbus.SignalHandler;
import io.signalbus.json.SignalJson;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.util.ReflectionUtils;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.json.JsonMapper;

/**
 * Calls one {@code @SignalListener} method for each delivery: resolves its arguments ({@link Signal},
 * {@link Delivery}, or a payload converted from the data by {@link SignalJson#convertData} with the
 * codec's mapper, the one that wrote the data), acks on return and lets a thrown exception become a nack.
 * A payload that cannot be converted, a record component absent from the data among them, is a
 * {@link DataConversionException}, which the bus dead-letters at once: never an ack with nulls.
 */
final class SignalListenerMethod implements SignalHandler {

    private enum Kind { SIGNAL, DELIVERY, PAYLOAD }

    private final Object bean;
    private final Method method;
    private final Kind[] kinds;
    private final @Nullable JavaType payloadType;
    private final JsonMapper mapper;

    private SignalListenerMethod(Object bean, Method method, Kind[] kinds, @Nullable JavaType payloadType,
            JsonMapper mapper) {
        this.bean = bean;
        this.method = method;
        this.kinds = kinds;
        this.payloadType = payloadType;
        this.mapper = mapper;
    }

    /**
     * Checks the method's parameters: any of {@link Signal}, {@link Delivery} and at most one payload.
     *
     * @throws IllegalArgumentException describing the offending parameter
     */
    static SignalListenerMethod of(Object bean, Method method, JsonMapper mapper) {
        Parameter[] parameters = method.getParameters();
        Kind[] kinds = new Kind[parameters.length];
        JavaType payloadType = null;
        for (int i = 0; i < parameters.length; i++) {
            Class<?> type = parameters[i].getType();
            if (type == Signal.class) {
                kinds[i] = Kind.SIGNAL;
            } else if (type == Delivery.class) {
                kinds[i] = Kind.DELIVERY;
            } else if (payloadType == null) {
                kinds[i] = Kind.PAYLOAD;
                payloadType = mapper.constructType(parameters[i].getParameterizedType());
            } else {
                throw new IllegalArgumentException("parameter " + (i + 1) + " (" + type.getSimpleName()
                        + ") is a second payload; a listener takes Signal, Delivery and at most one payload type");
            }
        }
        ReflectionUtils.makeAccessible(method);
        return new SignalListenerMethod(bean, method, kinds, payloadType, mapper);
    }

    @Override
    public void handle(Delivery delivery) throws Exception {
        Object[] args = new Object[kinds.length];
        for (int i = 0; i < kinds.length; i++) {
            args[i] = switch (kinds[i]) {
                case SIGNAL -> delivery.signal();
                case DELIVERY -> delivery;
                case PAYLOAD -> convert(delivery.signal());
            };
        }
        try {
            method.invoke(bean, args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception exception) {
                throw exception;
            }
            throw (Error) cause;
        }
        delivery.ack();
    }

    private @Nullable Object convert(Signal signal) {
        JavaType payloadType = Objects.requireNonNull(this.payloadType, "payloadType"); // PAYLOAD kinds have one
        return SignalJson.convertData(signal, payloadType, mapper);
    }

    @Override
    public String toString() {
        return method.getDeclaringClass().getSimpleName() + "." + method.getName();
    }
}
