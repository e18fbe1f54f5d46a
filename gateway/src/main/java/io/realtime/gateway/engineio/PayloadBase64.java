package io.realtime.gateway.engineio;

/**
 * Decodes the base64 of binary records in long-polling bodies ({@code b...} in v4, {@code b4...} in v3) as leniently
 * as Node's engine.io, which hands them to {@code Buffer.from(data, "base64")}.
 *
 * <p>Clients do not all send the strict form: socket.io-client-java encodes with Android's {@code Base64.DEFAULT},
 * which breaks lines every 76 characters and ends with a line feed; others leave out the padding or use the URL-safe
 * alphabet. So, as Node does: whitespace is ignored, {@code -} and {@code _} are read as {@code +} and {@code /},
 * padding is optional. {@link java.util.Base64#getMimeDecoder()} would be closer in spirit but skips every
 * character outside the alphabet, which would turn a garbled record into wrong bytes.
 *
 * <p>Where Node goes further it decodes garbage without complaint (it skips unknown characters, stops at the
 * first {@code =} and ignores what follows, drops a lone trailing character); no encoder produces those, so they
 * are protocol errors here, and the session ends as it does for any other malformed body.
 */
final class PayloadBase64 {

    private static final byte[] VALUES = new byte[128];

    static {
        java.util.Arrays.fill(VALUES, (byte) -1);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (int i = 0; i < alphabet.length(); i++) {
            VALUES[alphabet.charAt(i)] = (byte) i;
        }
        VALUES['-'] = 62;
        VALUES['_'] = 63;
    }

    private PayloadBase64() {
    }

    /** Decodes {@code text} from index {@code from} to its end. */
    static byte[] decode(String text, int from) {
        byte[] out = new byte[(text.length() - from) * 3 / 4 + 1];
        int size = 0;
        int bits = 0;
        int pending = 0;
        int padding = 0;
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (isWhitespace(c)) {
                continue;
            }
            if (c == '=') {
                padding++;
                continue;
            }
            int value = c < 128 ? VALUES[c] : -1;
            if (value < 0) {
                throw new EngineProtocolException("bad base64 binary record: unexpected character at " + (i - from));
            }
            if (padding > 0) {
                throw new EngineProtocolException("bad base64 binary record: data after padding");
            }
            bits = (bits << 6) | value;
            pending += 6;
            if (pending >= 8) {
                pending -= 8;
                out[size++] = (byte) (bits >> pending);
                bits &= (1 << pending) - 1;
            }
        }
        // Six leftover bits: one character alone in its group, which cannot encode a byte.
        if (pending == 6 || padding > 2) {
            throw new EngineProtocolException("bad base64 binary record: truncated");
        }
        return java.util.Arrays.copyOf(out, size);
    }

    /** Node ignores the same: space, tab, line feed, vertical tab, form feed, carriage return. */
    private static boolean isWhitespace(char c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }
}
