package io.tiercache.test;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal blocking RESP2 client for tests: sends one command, returns the reply.
 *
 * <p>Replies map to Java as: simple string and bulk string to {@link String} (raw bytes with
 * {@link #commandBytes}), integer to {@link Long}, nil to {@code null}, array to {@link List}, and
 * an error reply to a thrown {@link RespError}. It exists so that tests can look at the server
 * without going through the code under test.
 *
 * <pre>{@code
 * try (Resp resp = Resp.connect(redis.port())) {
 *   resp.command("SET", "k", "v");
 *   assertEquals("v", resp.command("GET", "k"));
 * }
 * }</pre>
 */
public final class Resp implements Closeable {

  /** A Redis error reply ({@code -ERR ...}). */
  public static final class RespError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RespError(String message) {
      super(message);
    }
  }

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  private Resp(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new BufferedInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
  }

  /** Connects to a server on 127.0.0.1. */
  public static Resp connect(int port) {
    return connect("127.0.0.1", port);
  }

  /** Connects to a server, waiting at most 2 s for the connection and 10 s for any reply. */
  public static Resp connect(String host, int port) {
    if (host == null || host.isEmpty()) {
      throw new IllegalArgumentException("host must not be null or empty");
    }
    if (port <= 0 || port > 65535) {
      throw new IllegalArgumentException("port must be in 1..65535, was " + port);
    }
    Socket socket = new Socket();
    try {
      socket.connect(new InetSocketAddress(host, port), 2_000);
      socket.setSoTimeout(10_000);
      return new Resp(socket);
    } catch (IOException e) {
      try {
        socket.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw new UncheckedIOException("cannot connect to Redis at " + host + ":" + port, e);
    }
  }

  /** Sends a command whose arguments are text; bulk replies come back as UTF-8 strings. */
  public Object command(String... args) {
    byte[][] raw = new byte[args.length][];
    for (int i = 0; i < args.length; i++) {
      raw[i] = args[i].getBytes(StandardCharsets.UTF_8);
    }
    return decodeStrings(commandBytes(raw));
  }

  /** Sends a command with binary arguments; bulk replies come back as {@code byte[]}. */
  public Object commandBytes(byte[]... args) {
    if (args.length == 0) {
      throw new IllegalArgumentException("args must name a command");
    }
    try {
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      buf.write(('*' + Integer.toString(args.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
      for (byte[] arg : args) {
        buf.write(
            ('$' + Integer.toString(arg.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        buf.write(arg);
        buf.write('\r');
        buf.write('\n');
      }
      out.write(buf.toByteArray());
      out.flush();
      return read();
    } catch (IOException e) {
      throw new UncheckedIOException("Redis command failed", e);
    }
  }

  /**
   * Reads the next reply without sending a command, for connections that Redis pushes to: after
   * {@code MONITOR} or {@code SUBSCRIBE}. Waits at most the socket timeout (10 s).
   *
   * @throws UncheckedIOException if nothing arrives in time or the connection closes
   */
  public Object receive() {
    try {
      return decodeStrings(read());
    } catch (IOException e) {
      throw new UncheckedIOException("no reply from Redis", e);
    }
  }

  private Object read() throws IOException {
    int type = in.read();
    if (type < 0) {
      throw new IOException("connection closed by the server");
    }
    String line = readLine();
    switch (type) {
      case '+':
        return line;
      case '-':
        throw new RespError(line);
      case ':':
        return Long.parseLong(line);
      case '$': {
        int len = Integer.parseInt(line);
        if (len < 0) {
          return null;
        }
        byte[] data = in.readNBytes(len);
        in.readNBytes(2);
        return data;
      }
      case '*': {
        int len = Integer.parseInt(line);
        if (len < 0) {
          return null;
        }
        List<Object> items = new ArrayList<>(len);
        for (int i = 0; i < len; i++) {
          items.add(read());
        }
        return items;
      }
      default:
        throw new IOException("unexpected RESP type byte " + type);
    }
  }

  private String readLine() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != '\r') {
      if (b < 0) {
        throw new IOException("connection closed by the server");
      }
      line.write(b);
    }
    in.read(); // '\n'
    return line.toString(StandardCharsets.UTF_8);
  }

  private static Object decodeStrings(Object reply) {
    if (reply instanceof byte[]) {
      return new String((byte[]) reply, StandardCharsets.UTF_8);
    }
    if (reply instanceof List) {
      List<?> in = (List<?>) reply;
      List<Object> out = new ArrayList<>(in.size());
      for (Object item : in) {
        out.add(decodeStrings(item));
      }
      return out;
    }
    return reply;
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // nothing left to release
    }
  }
}
