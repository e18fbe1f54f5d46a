package io.realtime.cluster.core;

/** A message from Redis that a codec cannot read; {@code kind} groups them for counting and logging. */
public final class MalformedMessageException extends RuntimeException {

    private final String kind;

    public MalformedMessageException(String kind, String detail) {
        super(kind + ": " + detail, null, false, false);
        this.kind = kind;
    }

    public String kind() {
        return kind;
    }

    /**
     * What {@code decoding} reads; whatever it throws on input it could not read (a cast, a number out of range) is
     * a malformed message too, the sender's doing, and told apart from a failure to apply a message once read.
     */
    public static <T> T whileReading(java.util.function.Supplier<T> decoding) {
        try {
            return decoding.get();
        } catch (MalformedMessageException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new MalformedMessageException("unreadable: " + e.getClass().getSimpleName(), e.toString());
        }
    }
}
