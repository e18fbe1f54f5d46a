package io.realtime.cluster;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.UUID;

/**
 * Socket ids as socket.io writes them, 20 characters of base64url (120 random bits), each one the same as one
 * {@link UUID}, which netty-socketio keys clients and rooms by. The UUID holds the 120 bits and 8 fixed ones:
 * version 8 ("custom", RFC 9562), the RFC variant, and two zero bits. Node's adapters recognise a socket's own
 * room by its 20 characters, so a send to one of our sockets from a Node node takes the right channel.
 *
 * <p>A UUID made any other way (netty-socketio's own clients, say) keeps its 36-character form.
 */
public final class SocketIds {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
    /** Version 8 in bits 12-15 of the most significant half. */
    private static final long VERSION_MASK = 0xF000L;
    private static final long VERSION_8 = 0x8000L;
    /** The variant {@code 10} and two zero bits: the top nibble of the least significant half is {@code 1000}. */
    private static final long VARIANT_MASK = 0xF000_0000_0000_0000L;
    private static final long VARIANT = 0x8000_0000_0000_0000L;

    private SocketIds() {
    }

    /** A new random socket id. */
    public static UUID newId() {
        byte[] bits = new byte[15];
        RANDOM.nextBytes(bits);
        return fromBits(bits);
    }

    /** How the id travels and names the socket's own room. */
    public static String wire(UUID id) {
        if ((id.getMostSignificantBits() & VERSION_MASK) != VERSION_8
                || (id.getLeastSignificantBits() & VARIANT_MASK) != VARIANT) {
            return id.toString();
        }
        long high = id.getMostSignificantBits();
        long low = id.getLeastSignificantBits();
        // 48 bits, then 12 (skipping the version), then 60 (skipping the variant nibble): 120 bits, 15 bytes.
        long first = high >>> 16;
        long second = high & 0xFFFL;
        long third = low & 0x0FFF_FFFF_FFFF_FFFFL;
        byte[] bits = new byte[15];
        for (int i = 0; i < 6; i++) {
            bits[i] = (byte) (first >>> (40 - 8 * i));
        }
        // 12 bits of second and the top 4 of third make 2 bytes; the remaining 56 bits of third make 7.
        long middle = (second << 4) | (third >>> 56);
        bits[6] = (byte) (middle >>> 8);
        bits[7] = (byte) middle;
        for (int i = 0; i < 7; i++) {
            bits[8 + i] = (byte) (third >>> (48 - 8 * i));
        }
        return ENCODER.encodeToString(bits);
    }

    /** The id a wire id names (20 base64url characters, or a UUID's 36); {@code null} when it names none. */
    public static UUID parse(String wire) {
        if (wire == null) {
            return null;
        }
        if (wire.length() == 20) {
            for (int i = 0; i < 20; i++) {
                char c = wire.charAt(i);
                boolean valid = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
                if (!valid) {
                    return null;
                }
            }
            return fromBits(DECODER.decode(wire));
        }
        if (wire.length() == 36) {
            try {
                return UUID.fromString(wire);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        return null;
    }

    private static UUID fromBits(byte[] bits) {
        long first = 0;
        for (int i = 0; i < 6; i++) {
            first = (first << 8) | (bits[i] & 0xFF);
        }
        long middle = ((bits[6] & 0xFFL) << 8) | (bits[7] & 0xFFL);
        long second = middle >>> 4;
        long third = middle & 0xFL;
        for (int i = 8; i < 15; i++) {
            third = (third << 8) | (bits[i] & 0xFF);
        }
        long high = (first << 16) | VERSION_8 | second;
        long low = VARIANT | third;
        return new UUID(high, low);
    }
}
