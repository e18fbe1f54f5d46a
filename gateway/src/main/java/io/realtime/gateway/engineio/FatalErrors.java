package io.realtime.gateway.engineio;

/**
 * Which {@link Error}s a handler of the application (a message listener, a socket activity listener) may throw and
 * the node still survive: the one rule, kept here for every layer of the gateway that calls such handlers.
 */
public final class FatalErrors {

    private FatalErrors() {
    }

    /**
     * Whether {@code e} is one the JVM may not recover from (out of memory, an internal error): it must go on to the
     * thread rather than be logged and survived. Always a {@link VirtualMachineError} when true. A stack overflow is
     * not one of them: by the time it is caught its stack has unwound. Any other Error a handler throws (an
     * {@code AssertionError}, a {@code NoClassDefFoundError} or {@code ExceptionInInitializerError} from one of the
     * application's classes) is its bug, as a RuntimeException would be.
     */
    public static boolean isFatal(Throwable e) {
        return e instanceof VirtualMachineError && !(e instanceof StackOverflowError);
    }

    /** Throws {@code e} on when it {@link #isFatal is fatal}; returns otherwise, for the caller to survive it. */
    public static void rethrowIfFatal(Throwable e) {
        if (isFatal(e)) {
            throw (VirtualMachineError) e;
        }
    }
}
