package io.signalbus;

/**
 * A signal's data could not be converted to the type a handler asked for ({@link Signal#dataAs(Class)}).
 * Retrying cannot help, so a delivery that fails with it is dead-lettered at once.
 */
public class DataConversionException extends SignalBusException implements PermanentFailure {

    private final String signalId;
    private final String signalType;
    private final Class<?> targetType;

    /** Names the signal, the target type and the converter's reason, taken from {@code cause}. */
    public DataConversionException(String signalId, String signalType, Class<?> targetType, String reason,
            Throwable cause) {
        super("cannot convert data of signal " + signalId + " (type '" + signalType + "') to "
                + targetType.getName() + ": " + reason, cause);
        this.signalId = signalId;
        this.signalType = signalType;
        this.targetType = targetType;
    }

    /** The id of the signal whose data failed to convert. */
    public String signalId() {
        return signalId;
    }

    /** The type of the signal whose data failed to convert. */
    public String signalType() {
        return signalType;
    }

    /** The class the data was to be converted to. */
    public Class<?> targetType() {
        return targetType;
    }
}
