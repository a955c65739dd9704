package io.tiercache;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A TCP relay to a port on this host that can be partitioned: while {@link #partition} is on, no
 * byte moves in either direction but every socket stays open, as when a network drops packets;
 * when it heals, what was held back is delivered, as TCP retransmission would.
 */
final class Blackhole implements AutoCloseable {
  private final ServerSocket server;
  private final List<Socket> sockets = new ArrayList<>();
  private volatile boolean partitioned;
  /** Until when connections that carried an {@code XREAD} stay stuck after a heal ({@link System#nanoTime}). */
  private volatile long readersStuckUntil;

  Blackhole(int target) throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(
        () -> {
          while (!server.isClosed()) {
            try {
              Socket client = server.accept();
              Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target);
              synchronized (sockets) {
                sockets.add(client);
                sockets.add(upstream);
              }
              boolean[] reader = {false};
              pipe(client.getInputStream(), upstream.getOutputStream(), reader, true);
              pipe(upstream.getInputStream(), client.getOutputStream(), reader, false);
            } catch (IOException closed) {
              return;
            }
          }
        },
        "blackhole");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  private void pipe(InputStream from, OutputStream to, boolean[] reader, boolean fromClient) {
    Thread copier = new Thread(
        () -> {
          byte[] buffer = new byte[16 * 1024];
          try (from;
              to) {
            while (true) {
              int n = from.read(buffer);
              if (n < 0) {
                return;
              }
              if (fromClient
                  && !reader[0]
                  && new String(buffer, 0, n, StandardCharsets.ISO_8859_1).contains("XREAD")) {
                reader[0] = true;
              }
              while (partitioned || (reader[0] && System.nanoTime() - readersStuckUntil < 0)) {
                Thread.sleep(1);
              }
              to.write(buffer, 0, n);
              to.flush();
            }
          } catch (IOException | InterruptedException closed) {
            // either side closed
          }
        },
        "blackhole-pipe");
    copier.setDaemon(true);
    copier.start();
  }

  /** {@code redis://127.0.0.1:PORT} of the relay. */
  String uri() {
    return "redis://127.0.0.1:" + server.getLocalPort();
  }

  /** Stops (true) or resumes (false) every byte, keeping the connections open. */
  void partition(boolean on) {
    partitioned = on;
  }

  /**
   * Heals the partition, but the connections that carried an {@code XREAD} stay stuck for
   * {@code millis} more, as a connection does whose retransmissions back off.
   */
  void healWithReadersStuckFor(long millis) {
    readersStuckUntil = System.nanoTime() + millis * 1_000_000L;
    partitioned = false;
  }

  @Override
  public void close() throws IOException {
    partitioned = false;
    server.close();
    synchronized (sockets) {
      for (Socket socket : sockets) {
        socket.close();
      }
    }
  }
}
