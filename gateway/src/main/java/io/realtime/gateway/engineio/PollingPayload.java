package io.realtime.gateway.engineio;

import com.corundumstudio.socketio.protocol.EngineIOVersion;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The body of a long-polling request or response: several Engine.IO packets in one HTTP message.
 *
 * <p>Engine.IO v4 separates text records with the 0x1e record separator and sends binary as {@code b<base64>}.
 * Engine.IO v3 prefixes each record with its length ({@code 12:4["hello"]}), or, for clients that accept binary
 * (no {@code b64=1} in the query), uses a binary framing where each record starts with 0x00 (text) or 0x01
 * (binary), its length as single decimal digits, and 0xff. Binary records' base64 is read as Node reads it
 * ({@link PayloadBase64}).
 */
public final class PollingPayload {

    private static final char RECORD_SEPARATOR = '\u001e';
    private static final String TEXT_TYPE = "text/plain; charset=UTF-8";
    private static final String BINARY_TYPE = "application/octet-stream";

    /** An encoded body and the content type to send it with. */
    public record Body(byte[] bytes, String contentType) {
    }

    private PollingPayload() {
    }

    public static Body encode(List<EnginePacket> packets, EngineIOVersion version, boolean base64Only) {
        if (version == EngineIOVersion.V4) {
            return new Body(encodeV4(packets).getBytes(StandardCharsets.UTF_8), TEXT_TYPE);
        }
        boolean hasBinary = packets.stream().anyMatch(EnginePacket::isBinary);
        if (hasBinary && !base64Only) {
            return new Body(encodeV3Binary(packets), BINARY_TYPE);
        }
        return new Body(encodeV3Text(packets).getBytes(StandardCharsets.UTF_8), TEXT_TYPE);
    }

    public static List<EnginePacket> decode(byte[] body, EngineIOVersion version) {
        if (body.length == 0) {
            throw new EngineProtocolException("empty payload");
        }
        if (version == EngineIOVersion.V4) {
            return decodeV4(new String(body, StandardCharsets.UTF_8));
        }
        if (body[0] == 0 || body[0] == 1) {
            return decodeV3Binary(body);
        }
        return decodeV3Text(new String(body, StandardCharsets.UTF_8));
    }

    static String encodeV4(List<EnginePacket> packets) {
        StringBuilder out = new StringBuilder();
        for (EnginePacket packet : packets) {
            if (out.length() > 0) {
                out.append(RECORD_SEPARATOR);
            }
            if (packet.isBinary()) {
                out.append('b').append(Base64.getEncoder().encodeToString(packet.binary()));
            } else {
                out.append(packet.encodeText());
            }
        }
        return out.toString();
    }

    static List<EnginePacket> decodeV4(String body) {
        List<EnginePacket> packets = new ArrayList<>();
        int start = 0;
        while (start <= body.length()) {
            int end = body.indexOf(RECORD_SEPARATOR, start);
            if (end < 0) {
                end = body.length();
            }
            packets.add(EnginePacket.decodeTextOrBase64(body.substring(start, end), EngineIOVersion.V4));
            start = end + 1;
        }
        return packets;
    }

    static String encodeV3Text(List<EnginePacket> packets) {
        StringBuilder out = new StringBuilder();
        for (EnginePacket packet : packets) {
            String record = packet.isBinary()
                    ? "b4" + Base64.getEncoder().encodeToString(packet.binary())
                    : packet.encodeText();
            out.append(record.length()).append(':').append(record);
        }
        return out.toString();
    }

    static List<EnginePacket> decodeV3Text(String body) {
        List<EnginePacket> packets = new ArrayList<>();
        int i = 0;
        while (i < body.length()) {
            int colon = body.indexOf(':', i);
            if (colon <= i || colon - i > 10) {
                throw new EngineProtocolException("bad length prefix");
            }
            int length = parseLength(body.substring(i, colon));
            int start = colon + 1;
            // As a subtraction: a length near Integer.MAX_VALUE must not overflow past the check.
            if (length < 0 || length > body.length() - start) {
                throw new EngineProtocolException("record longer than payload");
            }
            packets.add(EnginePacket.decodeTextOrBase64(body.substring(start, start + length), EngineIOVersion.V3));
            i = start + length;
        }
        return packets;
    }

    static byte[] encodeV3Binary(List<EnginePacket> packets) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (EnginePacket packet : packets) {
            byte[] data;
            if (packet.isBinary()) {
                data = new byte[packet.binary().length + 1];
                data[0] = 4;
                System.arraycopy(packet.binary(), 0, data, 1, packet.binary().length);
                out.write(1);
            } else {
                data = packet.encodeText().getBytes(StandardCharsets.UTF_8);
                out.write(0);
            }
            for (char digit : Integer.toString(data.length).toCharArray()) {
                out.write(digit - '0');
            }
            out.write(0xff);
            out.writeBytes(data);
        }
        return out.toByteArray();
    }

    static List<EnginePacket> decodeV3Binary(byte[] body) {
        List<EnginePacket> packets = new ArrayList<>();
        int i = 0;
        while (i < body.length) {
            boolean text = body[i] == 0;
            if (!text && body[i] != 1) {
                throw new EngineProtocolException("bad binary record marker");
            }
            i++;
            // A long: ten digits can exceed an int, and the record's length is checked against what is left, as a
            // subtraction, before anything is sized from it.
            long length = 0;
            int digits = 0;
            while (i < body.length && (body[i] & 0xff) != 0xff) {
                int digit = body[i];
                if (digit < 0 || digit > 9 || ++digits > 10) {
                    throw new EngineProtocolException("bad binary record length");
                }
                length = length * 10 + digit;
                i++;
            }
            i++;
            if (digits == 0 || length < 1 || length > body.length - i) {
                throw new EngineProtocolException("binary record longer than payload");
            }
            int size = (int) length;
            if (text) {
                packets.add(EnginePacket.decodeText(new String(body, i, size, StandardCharsets.UTF_8)));
            } else {
                byte[] data = new byte[size - 1];
                System.arraycopy(body, i + 1, data, 0, size - 1);
                packets.add(EnginePacket.binaryMessage(data));
            }
            i += size;
        }
        return packets;
    }

    private static int parseLength(String digits) {
        try {
            return Integer.parseInt(digits);
        } catch (NumberFormatException e) {
            throw new EngineProtocolException("bad length prefix");
        }
    }
}
