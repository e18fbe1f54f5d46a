package io.realtime.gateway.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Bytes on a TCP connection, no client library in between: WebSocket handshakes and (masked) frames written by hand,
 * HTTP requests as raw text. For the tests that must send what no well-behaved client would.
 */
public final class RawSocketClient implements AutoCloseable {

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;

    private RawSocketClient(int port) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        socket.setSoTimeout(2000);
        out = socket.getOutputStream();
        in = socket.getInputStream();
    }

    public static RawSocketClient connect(int port) throws IOException {
        return new RawSocketClient(port);
    }

    /** Opens a WebSocket on the Engine.IO path; returns false when the server did not answer 101. */
    public boolean openWebSocket(String query) throws IOException {
        send(("GET /socket.io/?" + query + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        String headers = readHeaders();
        return headers.startsWith("HTTP/1.1 101");
    }

    /** A frame the server sent: its opcode and payload. */
    public record Frame(int opcode, byte[] payload) {
        /** The status code of a Close frame (-1 when it has none). */
        public int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : -1;
        }

        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    /** Reads the next server frame's payload (unmasked, no fragmentation expected), or null at end of stream. */
    public byte[] readFrame() throws IOException {
        Frame frame = readServerFrame();
        return frame == null ? null : frame.payload();
    }

    /** Reads the next server frame, or null at end of stream. */
    public Frame readServerFrame() throws IOException {
        int first = in.read();
        if (first < 0) {
            return null;
        }
        long length = in.read() & 0x7f;
        if (length == 126) {
            length = (in.read() << 8) | in.read();
        } else if (length == 127) {
            length = 0;
            for (int i = 0; i < 8; i++) {
                length = (length << 8) | in.read();
            }
        }
        return new Frame(first & 0x0f, in.readNBytes((int) length));
    }

    public void sendTextFrame(byte[] payload) throws IOException {
        sendFrame(0x1, payload);
    }

    public void sendBinaryFrame(byte[] payload) throws IOException {
        sendFrame(0x2, payload);
    }

    /** A masked client frame with {@code opcode}, FIN set. */
    public void sendFrame(int opcode, byte[] payload) throws IOException {
        sendFrame(true, opcode, payload);
    }

    /** A masked client frame with {@code opcode}; {@code fin} false for a fragment that more will follow. */
    public void sendFrame(boolean fin, int opcode, byte[] payload) throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write((fin ? 0x80 : 0) | opcode);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else if (payload.length < 65536) {
            frame.write(0x80 | 126);
            frame.write(payload.length >> 8);
            frame.write(payload.length & 0xff);
        } else {
            frame.write(0x80 | 127);
            for (int i = 7; i >= 0; i--) {
                frame.write((int) ((long) payload.length >> (8 * i)) & 0xff);
            }
        }
        byte[] mask = {0x11, 0x22, 0x33, 0x44};
        frame.write(mask, 0, 4);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i % 4]);
        }
        send(frame.toByteArray());
    }

    public void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** An HTTP request with {@code Connection: close}; returns the whole answer ("" when the server closed first). */
    public String httpRequest(String method, String pathAndQuery, byte[] body) throws IOException {
        String head = method + " " + pathAndQuery + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                + (body == null ? "" : "Content-Length: " + body.length + "\r\n") + "\r\n";
        send(head.getBytes(StandardCharsets.ISO_8859_1));
        if (body != null) {
            send(body);
        }
        return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }

    /** Sends a request as written (headers and the blank line included); returns the answer's status line and headers. */
    public String request(String head) throws IOException {
        send(head.getBytes(StandardCharsets.ISO_8859_1));
        return readHeaders();
    }

    private String readHeaders() throws IOException {
        StringBuilder headers = new StringBuilder();
        while (!headers.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                break;
            }
            headers.append((char) c);
        }
        return headers.toString();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already gone
        }
    }
}
